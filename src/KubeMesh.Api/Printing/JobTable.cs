using KubeMesh.Api.Batch.V1;

namespace KubeMesh.Api.Printing;

public sealed class JobTable : TableDefinition<Job>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Status", Description: "Status of the job."),
        new("Completions", Description: "Succeeded pods of the completions wanted."),
        new("Duration", Description: "Time required to complete the job."),
        TableColumn.Age, TableColumn.Containers, TableColumn.Images, TableColumn.Selector,
    ];

    protected override IReadOnlyList<string> Cells(Job job, DateTimeOffset now)
    {
        var spec = job.Spec ?? new JobSpec();
        var status = job.Status ?? new JobStatus();
        var completions = spec.HasCompletions ? $"{status.Succeeded}/{spec.Completions}"
            : spec.HasParallelism && spec.Parallelism > 1 ? $"{status.Succeeded}/1 of {spec.Parallelism}"
            : $"{status.Succeeded}/1";
        var duration = status.StartTime is null ? ""
            : status.CompletionTime is null ? HumanDuration.Format(now - status.StartTime.ToDateTimeOffset())
            : HumanDuration.Format(status.CompletionTime.ToDateTimeOffset() - status.StartTime.ToDateTimeOffset());
        return
        [
            job.Metadata?.Name ?? "", Status(job), completions, duration, HumanDuration.Since(job.Metadata?.CreationTimestamp, now),
            PodTemplateColumns.Containers(spec.Template), PodTemplateColumns.Images(spec.Template), PodTemplateColumns.Selector(spec.Selector),
        ];
    }

    private static string Status(Job job)
    {
        bool Has(string type) => job.Status?.Conditions.Any(c => c.Type == type && c.Status == "True") == true;
        return Has("Complete") ? "Complete"
            : Has("Failed") ? "Failed"
            : job.Metadata?.DeletionTimestamp is not null ? "Terminating"
            : Has("Suspended") ? "Suspended"
            : Has("FailureTarget") ? "FailureTarget"
            : Has("SuccessCriteriaMet") ? "SuccessCriteriaMet"
            : "Running";
    }
}
