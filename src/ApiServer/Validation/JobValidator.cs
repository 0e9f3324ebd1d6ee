using Cronos;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>batch/v1: Jobs (counts, completion mode, a template that does not restart Always) and CronJobs (schedule).</summary>
internal static class JobValidator
{
    /// <summary>Job names get "-" plus an 11-character suffix from the CronJob, and must stay a 63-character label.</summary>
    private const int CronJobNameMaxLength = 52;

    public static void Validate(Job job, ErrorList errors) => ValidateSpec("spec", job.Spec, errors);

    public static void Validate(CronJob cronJob, ErrorList errors)
    {
        var name = cronJob.Metadata?.Name ?? "";
        if (name.Length > CronJobNameMaxLength)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, $"must be no more than {CronJobNameMaxLength} characters"));
        }

        if (cronJob.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        ValidateSchedule("spec.schedule", spec.Schedule, errors);
        if (spec.HasTimeZone && !IsTimeZone(spec.TimeZone))
        {
            errors.Add(FieldError.Invalid("spec.timeZone", spec.TimeZone, "unknown time zone"));
        }

        errors.OneOf("spec.concurrencyPolicy", spec.ConcurrencyPolicy, true, "Allow", "Forbid", "Replace");
        if (spec.HasStartingDeadlineSeconds)
        {
            errors.NonNegative("spec.startingDeadlineSeconds", spec.StartingDeadlineSeconds);
        }

        if (spec.HasSuccessfulJobsHistoryLimit)
        {
            errors.NonNegative("spec.successfulJobsHistoryLimit", spec.SuccessfulJobsHistoryLimit);
        }

        if (spec.HasFailedJobsHistoryLimit)
        {
            errors.NonNegative("spec.failedJobsHistoryLimit", spec.FailedJobsHistoryLimit);
        }

        if (spec.JobTemplate is null)
        {
            errors.Required("spec.jobTemplate");
            return;
        }

        ObjectMetaValidator.ValidateLabels("spec.jobTemplate.metadata.labels", spec.JobTemplate.Metadata?.Labels ?? [], errors);
        ValidateSpec("spec.jobTemplate.spec", spec.JobTemplate.Spec, errors);
    }

    public static void ValidateSpec(string path, JobSpec? spec, ErrorList errors)
    {
        if (spec is null)
        {
            errors.Required(path);
            return;
        }

        if (spec.HasParallelism)
        {
            errors.NonNegative($"{path}.parallelism", spec.Parallelism);
        }

        if (spec.HasCompletions)
        {
            errors.NonNegative($"{path}.completions", spec.Completions);
        }

        if (spec.HasBackoffLimit)
        {
            errors.NonNegative($"{path}.backoffLimit", spec.BackoffLimit);
        }

        if (spec.HasActiveDeadlineSeconds)
        {
            errors.Positive($"{path}.activeDeadlineSeconds", spec.ActiveDeadlineSeconds);
        }

        if (spec.HasTtlSecondsAfterFinished)
        {
            errors.NonNegative($"{path}.ttlSecondsAfterFinished", spec.TtlSecondsAfterFinished);
        }

        errors.OneOf($"{path}.completionMode", spec.CompletionMode, false, "NonIndexed", "Indexed");
        if (spec.CompletionMode == "Indexed" && !spec.HasCompletions)
        {
            errors.Required($"{path}.completions", "when completion mode is Indexed");
        }

        if (spec.Selector is not null)
        {
            LabelSelectorValidation.Validate($"{path}.selector", spec.Selector, errors);
        }

        WorkloadValidator.Template($"{path}.template", spec.Template, spec.Selector, errors, "OnFailure", "Never");
    }

    /// <summary>Five standard fields or a macro (@hourly); time zones go in spec.timeZone, not in the schedule.</summary>
    public static void ValidateSchedule(string path, string schedule, ErrorList errors)
    {
        if (schedule.Trim().Length == 0)
        {
            errors.Required(path);
            return;
        }

        if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
            return;
        }

        try
        {
            CronExpression.Parse(schedule, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            errors.Add(FieldError.Invalid(path, schedule, e.Message));
        }
    }

    private static bool IsTimeZone(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
