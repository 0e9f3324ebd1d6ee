using KubeMesh.Api.Batch.V1;

namespace KubeMesh.Api.Printing;

public sealed class CronJobTable : TableDefinition<CronJob>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Schedule", Description: "The schedule in Cron format."),
        new("Timezone", Description: "The time zone of the schedule."),
        new("Suspend", "boolean", Description: "Whether later executions are suspended."),
        new("Active", "integer", Description: "The number of jobs running."),
        new("Last Schedule", Description: "When a job was last scheduled."),
        TableColumn.Age, TableColumn.Containers, TableColumn.Images, TableColumn.Selector,
    ];

    protected override IReadOnlyList<string> Cells(CronJob cj, DateTimeOffset now)
    {
        var spec = cj.Spec ?? new CronJobSpec();
        var template = spec.JobTemplate?.Spec?.Template;
        return
        [
            cj.Metadata?.Name ?? "", spec.Schedule, spec.HasTimeZone ? spec.TimeZone : "<none>", spec.HasSuspend && spec.Suspend ? "True" : "False",
            (cj.Status?.Active.Count ?? 0).ToString(), cj.Status?.LastScheduleTime is { } t ? HumanDuration.Since(t, now) : "<none>",
            HumanDuration.Since(cj.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(template), PodTemplateColumns.Images(template), PodTemplateColumns.Selector(spec.JobTemplate?.Spec?.Selector),
        ];
    }
}
