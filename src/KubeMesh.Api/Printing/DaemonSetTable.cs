using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Api.Printing;

public sealed class DaemonSetTable : TableDefinition<DaemonSet>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Desired", "integer", Description: "The number of nodes that should run the daemon pod."),
        new("Current", "integer", Description: "The number of nodes running at least one daemon pod that should."),
        new("Ready", "integer", Description: "The number of nodes whose daemon pod is ready."),
        new("Up-to-date", "integer", Description: "The number of nodes running the updated daemon pod."),
        new("Available", "integer", Description: "The number of nodes whose daemon pod is available."),
        new("Node Selector", Description: "The node selector of the pod template."),
        TableColumn.Age, TableColumn.Containers, TableColumn.Images, TableColumn.Selector,
    ];

    protected override IReadOnlyList<string> Cells(DaemonSet ds, DateTimeOffset now)
    {
        var s = ds.Status ?? new DaemonSetStatus();
        return
        [
            ds.Metadata?.Name ?? "", s.DesiredNumberScheduled.ToString(), s.CurrentNumberScheduled.ToString(), s.NumberReady.ToString(),
            s.UpdatedNumberScheduled.ToString(), s.NumberAvailable.ToString(),
            Labels.Format(ds.Spec?.Template?.Spec?.NodeSelector), HumanDuration.Since(ds.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(ds.Spec?.Template), PodTemplateColumns.Images(ds.Spec?.Template), PodTemplateColumns.Selector(ds.Spec?.Selector),
        ];
    }
}
