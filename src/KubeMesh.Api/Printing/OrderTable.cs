using KubeMesh.Api.Acme.V1;

namespace KubeMesh.Api.Printing;

/// <summary>cert-manager's Order columns: State; wide adds Issuer and Reason.</summary>
public sealed class OrderTable : TableDefinition<Order>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("State", Description: "The order's state at the ACME server."),
        TableColumn.Age,
        TableColumn.Wide("Issuer", "The issuer the order was made for."),
        TableColumn.Wide("Reason", "Why the order is in its state."),
    ];

    protected override IReadOnlyList<string> Cells(Order order, DateTimeOffset now) =>
    [
        order.Metadata?.Name ?? "", order.Status?.State ?? "", HumanDuration.Since(order.Metadata?.CreationTimestamp, now),
        order.Spec?.IssuerRef?.Name ?? "", order.Status?.Reason ?? "",
    ];
}
