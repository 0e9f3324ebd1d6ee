using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class StatefulSetTable : TableDefinition<StatefulSet>
{
    public override IReadOnlyList<string> Headers => ["NAME", "READY", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES"];

    protected override IReadOnlyList<string> Cells(StatefulSet sts, bool wide, DateTimeOffset now)
    {
        var desired = sts.Spec is { HasReplicas: true } ? sts.Spec.Replicas : 1;
        List<string> cells = [$"{sts.Status?.ReadyReplicas ?? 0}/{desired}", HumanDuration.Since(sts.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.AddRange([PodTemplateColumns.Containers(sts.Spec?.Template), PodTemplateColumns.Images(sts.Spec?.Template)]);
        }

        return cells;
    }
}
