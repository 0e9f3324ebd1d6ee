using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class NamespaceTable : TableDefinition<Namespace>
{
    public override IReadOnlyList<string> Headers => ["NAME", "STATUS", "AGE"];

    protected override IReadOnlyList<string> Cells(Namespace ns, bool wide, DateTimeOffset now) =>
        [ns.Status?.Phase is { Length: > 0 } phase ? phase : "Active", HumanDuration.Since(ns.Metadata?.CreationTimestamp, now)];
}
