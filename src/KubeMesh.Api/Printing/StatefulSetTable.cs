using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Api.Printing;

public sealed class StatefulSetTable : TableDefinition<StatefulSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Ready", Description: "Ready pods of the desired replicas."), TableColumn.Age, TableColumn.Containers, TableColumn.Images];

    protected override IReadOnlyList<string> Cells(StatefulSet sts, DateTimeOffset now)
    {
        var desired = sts.Spec is { HasReplicas: true } ? sts.Spec.Replicas : 1;
        return
        [
            sts.Metadata?.Name ?? "", $"{sts.Status?.ReadyReplicas ?? 0}/{desired}", HumanDuration.Since(sts.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(sts.Spec?.Template), PodTemplateColumns.Images(sts.Spec?.Template),
        ];
    }
}
