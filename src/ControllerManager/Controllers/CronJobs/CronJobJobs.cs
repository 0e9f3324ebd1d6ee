using System.Globalization;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.CronJobs;

/// <summary>The Jobs a CronJob creates (getJobFromTemplate2): named by the scheduled minute, so a retried create is idempotent.</summary>
internal static class CronJobJobs
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    public static string Name(CronJob cronJob, DateTimeOffset scheduled) =>
        $"{cronJob.Metadata.Name}-{scheduled.ToUnixTimeSeconds() / 60}";

    public static Job New(CronJob cronJob, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        var template = cronJob.Spec!.JobTemplate;
        var job = new Job
        {
            Metadata = new ObjectMeta { Namespace = cronJob.Metadata.Namespace, Name = Name(cronJob, scheduled) },
            Spec = template.Spec?.Clone() ?? new JobSpec(),
        };
        if (template.Metadata is { } meta)
        {
            job.Metadata.Labels.Add(meta.Labels);
            job.Metadata.Annotations.Add(meta.Annotations);
        }

        job.Metadata.Annotations[ScheduledTimestampAnnotation] = Rfc3339(TimeZoneInfo.ConvertTime(scheduled, zone));
        job.Metadata.OwnerReferences.Add(OwnerReferences.NewControllerRef(cronJob.Metadata, ResourceKinds.CronJob));
        return job;
    }

    /// <summary>Go's time.RFC3339 in the CronJob's zone: "Z" for UTC, else the offset.</summary>
    private static string Rfc3339(DateTimeOffset t) =>
        t.Offset == TimeSpan.Zero
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
