using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Api.Printing;

public sealed class ReplicaSetTable : TableDefinition<ReplicaSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Desired", "integer", Description: "The number of pods wanted."),
        new("Current", "integer", Description: "The number of pods there are."),
        new("Ready", "integer", Description: "The number of ready pods."),
        TableColumn.Age, TableColumn.Containers, TableColumn.Images, TableColumn.Selector,
    ];

    protected override IReadOnlyList<string> Cells(ReplicaSet rs, DateTimeOffset now)
    {
        var desired = rs.Spec is { HasReplicas: true } ? rs.Spec.Replicas : 1;
        return
        [
            rs.Metadata?.Name ?? "", desired.ToString(), (rs.Status?.Replicas ?? 0).ToString(), (rs.Status?.ReadyReplicas ?? 0).ToString(),
            HumanDuration.Since(rs.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(rs.Spec?.Template), PodTemplateColumns.Images(rs.Spec?.Template), PodTemplateColumns.Selector(rs.Spec?.Selector),
        ];
    }
}
