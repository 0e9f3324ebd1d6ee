using KubeMesh.Api.Batch.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class CronJobTable : TableDefinition<CronJob>
{
    public override IReadOnlyList<string> Headers => ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES", "SELECTOR"];

    protected override IReadOnlyList<string> Cells(CronJob cj, bool wide, DateTimeOffset now)
    {
        var spec = cj.Spec ?? new CronJobSpec();
        var last = cj.Status?.LastScheduleTime is { } t ? HumanDuration.Since(t, now) : "<none>";
        List<string> cells =
        [
            spec.Schedule, spec.HasTimeZone ? spec.TimeZone : "<none>", spec.HasSuspend && spec.Suspend ? "True" : "False",
            (cj.Status?.Active.Count ?? 0).ToString(), last, HumanDuration.Since(cj.Metadata?.CreationTimestamp, now),
        ];
        if (wide)
        {
            var template = spec.JobTemplate?.Spec?.Template;
            cells.AddRange([PodTemplateColumns.Containers(template), PodTemplateColumns.Images(template), PodTemplateColumns.Selector(spec.JobTemplate?.Spec?.Selector)]);
        }

        return cells;
    }
}
