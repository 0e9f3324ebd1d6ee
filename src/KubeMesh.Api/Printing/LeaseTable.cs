using KubeMesh.Api.Coordination.V1;

namespace KubeMesh.Api.Printing;

public sealed class LeaseTable : TableDefinition<Lease>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Holder", Description: "The identity of the lease's holder."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(Lease lease, DateTimeOffset now) =>
        [lease.Metadata?.Name ?? "", lease.Spec?.HolderIdentity ?? "", HumanDuration.Since(lease.Metadata?.CreationTimestamp, now)];
}
