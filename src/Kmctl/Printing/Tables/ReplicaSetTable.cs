using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class ReplicaSetTable : TableDefinition<ReplicaSet>
{
    public override IReadOnlyList<string> Headers => ["NAME", "DESIRED", "CURRENT", "READY", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES", "SELECTOR"];

    protected override IReadOnlyList<string> Cells(ReplicaSet rs, bool wide, DateTimeOffset now)
    {
        var desired = rs.Spec is { HasReplicas: true } ? rs.Spec.Replicas : 1;
        List<string> cells =
        [
            desired.ToString(), (rs.Status?.Replicas ?? 0).ToString(), (rs.Status?.ReadyReplicas ?? 0).ToString(),
            HumanDuration.Since(rs.Metadata?.CreationTimestamp, now),
        ];
        if (wide)
        {
            cells.AddRange([PodTemplateColumns.Containers(rs.Spec?.Template), PodTemplateColumns.Images(rs.Spec?.Template), PodTemplateColumns.Selector(rs.Spec?.Selector)]);
        }

        return cells;
    }
}
