using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Api.Printing;

public sealed class DeploymentTable : TableDefinition<Deployment>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Ready", Description: "Ready pods of the desired replicas."),
        new("Up-to-date", Description: "The number of pods of the newest template."),
        new("Available", Description: "The number of pods available for at least minReadySeconds."),
        TableColumn.Age, TableColumn.Containers, TableColumn.Images, TableColumn.Selector,
    ];

    protected override IReadOnlyList<string> Cells(Deployment d, DateTimeOffset now)
    {
        var desired = d.Spec is { HasReplicas: true } ? d.Spec.Replicas : 1;
        var status = d.Status ?? new DeploymentStatus();
        return
        [
            d.Metadata?.Name ?? "", $"{status.ReadyReplicas}/{desired}", status.UpdatedReplicas.ToString(), status.AvailableReplicas.ToString(),
            HumanDuration.Since(d.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(d.Spec?.Template), PodTemplateColumns.Images(d.Spec?.Template), PodTemplateColumns.Selector(d.Spec?.Selector),
        ];
    }
}
