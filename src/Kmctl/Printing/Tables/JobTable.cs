using KubeMesh.Api.Batch.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class JobTable : TableDefinition<Job>
{
    public override IReadOnlyList<string> Headers => ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES", "SELECTOR"];

    protected override IReadOnlyList<string> Cells(Job job, bool wide, DateTimeOffset now)
    {
        var spec = job.Spec ?? new JobSpec();
        var status = job.Status ?? new JobStatus();
        var completions = spec.HasCompletions ? $"{status.Succeeded}/{spec.Completions}"
            : spec.HasParallelism && spec.Parallelism > 1 ? $"{status.Succeeded}/1 of {spec.Parallelism}"
            : $"{status.Succeeded}/1";
        var duration = status.StartTime is null ? ""
            : status.CompletionTime is null ? HumanDuration.Format(now - status.StartTime.ToDateTimeOffset())
            : HumanDuration.Format(status.CompletionTime.ToDateTimeOffset() - status.StartTime.ToDateTimeOffset());
        List<string> cells = [Status(job), completions, duration, HumanDuration.Since(job.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.AddRange([PodTemplateColumns.Containers(spec.Template), PodTemplateColumns.Images(spec.Template), PodTemplateColumns.Selector(spec.Selector)]);
        }

        return cells;
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
