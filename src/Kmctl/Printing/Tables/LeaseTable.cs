using KubeMesh.Api.Coordination.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class LeaseTable : TableDefinition<Lease>
{
    public override IReadOnlyList<string> Headers => ["NAME", "HOLDER", "AGE"];

    protected override IReadOnlyList<string> Cells(Lease lease, bool wide, DateTimeOffset now) =>
        [lease.Spec?.HolderIdentity ?? "", HumanDuration.Since(lease.Metadata?.CreationTimestamp, now)];
}
