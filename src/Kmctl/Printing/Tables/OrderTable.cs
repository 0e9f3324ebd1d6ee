using KubeMesh.Api.Acme.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>cert-manager's Order columns: State; wide adds Issuer and Reason.</summary>
public sealed class OrderTable : TableDefinition<Order>
{
    public override IReadOnlyList<string> Headers => ["NAME", "STATE", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["ISSUER", "REASON"];

    protected override IReadOnlyList<string> Cells(Order order, bool wide, DateTimeOffset now)
    {
        List<string> cells = [order.Status?.State ?? "", HumanDuration.Since(order.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.AddRange([order.Spec?.IssuerRef?.Name ?? "", order.Status?.Reason ?? ""]);
        }

        return cells;
    }
}
