using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class DaemonSetTable : TableDefinition<DaemonSet>
{
    public override IReadOnlyList<string> Headers => ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES", "SELECTOR"];

    protected override IReadOnlyList<string> Cells(DaemonSet ds, bool wide, DateTimeOffset now)
    {
        var s = ds.Status ?? new DaemonSetStatus();
        List<string> cells =
        [
            s.DesiredNumberScheduled.ToString(), s.CurrentNumberScheduled.ToString(), s.NumberReady.ToString(),
            s.UpdatedNumberScheduled.ToString(), s.NumberAvailable.ToString(),
            Labels.Format(ds.Spec?.Template?.Spec?.NodeSelector), HumanDuration.Since(ds.Metadata?.CreationTimestamp, now),
        ];
        if (wide)
        {
            cells.AddRange([PodTemplateColumns.Containers(ds.Spec?.Template), PodTemplateColumns.Images(ds.Spec?.Template), PodTemplateColumns.Selector(ds.Spec?.Selector)]);
        }

        return cells;
    }
}
