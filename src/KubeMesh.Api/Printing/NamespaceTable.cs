using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class NamespaceTable : TableDefinition<Namespace>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Status", Description: "The status of the namespace."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(Namespace ns, DateTimeOffset now) =>
        [ns.Metadata?.Name ?? "", ns.Status?.Phase is { Length: > 0 } phase ? phase : "Active", HumanDuration.Since(ns.Metadata?.CreationTimestamp, now)];
}
