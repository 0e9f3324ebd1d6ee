using Grpc.Core;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.Jobs;

namespace KubeMesh.ControllerManager.Controllers.CronJobs;

public sealed partial class CronJobController
{
    /// <summary>Starts the most recent due run if allowed; returns when to look again (the next schedule time), or null.</summary>
    private async Task<DateTimeOffset?> ScheduleAsync(CronJob cronJob, CronJobStatus status, List<Job> jobs, CancellationToken cancellationToken)
    {
        var spec = cronJob.Spec!;
        if (CronSchedule.TryParse(spec, out var error) is not { } schedule)
        {
            Recorder.Event(cronJob, EventTypes.Warning, "UnparseableSchedule", $"unparseable schedule: \"{spec.Schedule}\" : {error}");
            return null;
        }

        if (spec.Suspend)
        {
            return null;
        }

        var now = Now;
        var earliest = status.LastScheduleTime?.ToDateTimeOffset() ?? cronJob.Metadata.CreationTimestamp.ToDateTimeOffset();
        if (spec.HasStartingDeadlineSeconds && now.AddSeconds(-spec.StartingDeadlineSeconds) > earliest)
        {
            earliest = now.AddSeconds(-spec.StartingDeadlineSeconds);
        }

        var (scheduled, missed) = schedule.MostRecent(earliest, now);
        var next = schedule.Next(now);
        if (scheduled is not { } scheduledTime)
        {
            return next;
        }

        if (missed > 100)
        {
            Recorder.Event(cronJob, EventTypes.Warning, "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }

        if (spec.HasStartingDeadlineSeconds && scheduledTime.AddSeconds(spec.StartingDeadlineSeconds) < now)
        {
            Recorder.Event(cronJob, EventTypes.Warning, "MissSchedule", $"Missed scheduled time to start a job: {scheduledTime.UtcDateTime:O}");
            return next;
        }

        var jobName = CronJobJobs.Name(cronJob, scheduledTime);
        if (jobs.Any(j => j.Metadata.Name == jobName) || status.Active.Any(a => a.Name == jobName))
        {
            return next;
        }

        if (spec.ConcurrencyPolicy == "Forbid" && status.Active.Count > 0)
        {
            // kube does not record this run as scheduled: it starts at the next schedule time once the prior one ends.
            Recorder.Event(cronJob, EventTypes.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }

        if (spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var reference in status.Active.ToList())
            {
                await DeleteJobAsync(cronJob, reference.Namespace, reference.Name, reference.Uid, cancellationToken).ConfigureAwait(false);
                status.Active.Remove(reference);
            }
        }

        Job created;
        try
        {
            created = await _jobClient.CreateAsync(CronJobJobs.New(cronJob, scheduledTime, schedule.Zone), cancellationToken).ConfigureAwait(false);
            Recorder.Event(cronJob, EventTypes.Normal, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // Created by an earlier sync whose status write was lost: adopt it into status rather than start it twice.
            created = await _jobClient.GetAsync(cronJob.Metadata.Namespace, jobName, cancellationToken).ConfigureAwait(false);
            if (!OwnerReferences.IsControlledBy(created.Metadata, cronJob.Metadata))
            {
                return next;
            }
        }
        catch (RpcException e)
        {
            Recorder.Event(cronJob, EventTypes.Warning, "FailedCreate", $"Error creating job: {e.Status.Detail}");
            throw;
        }

        if (!JobConditions.IsFinished(created) && status.Active.All(a => a.Uid != created.Metadata.Uid))
        {
            status.Active.Add(Reference(created));
        }

        status.LastScheduleTime = ToTimestamp(scheduledTime);
        return next;
    }

    /// <summary>Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit.</summary>
    private async Task CleanUpHistoryAsync(CronJob cronJob, List<Job> jobs, CancellationToken cancellationToken)
    {
        var spec = cronJob.Spec!;
        var successful = jobs.Where(JobConditions.Succeeded);
        var failed = jobs.Where(j => JobConditions.Finished(j)?.Type == JobConditions.Failed);
        var victims = Oldest(successful, spec.HasSuccessfulJobsHistoryLimit ? spec.SuccessfulJobsHistoryLimit : 3)
            .Concat(Oldest(failed, spec.HasFailedJobsHistoryLimit ? spec.FailedJobsHistoryLimit : 1));
        foreach (var job in victims)
        {
            await DeleteJobAsync(cronJob, job.Metadata.Namespace, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<Job> Oldest(IEnumerable<Job> jobs, int keep)
    {
        var sorted = jobs.OrderBy(j => j.Status?.StartTime?.ToDateTimeOffset() ?? j.Metadata.CreationTimestamp.ToDateTimeOffset()).ToList();
        return sorted.Take(Math.Max(0, sorted.Count - keep));
    }

    private async Task DeleteJobAsync(CronJob cronJob, string ns, string name, string uid, CancellationToken cancellationToken)
    {
        try
        {
            await _jobClient.DeleteAsync(new DeleteRequest
            {
                Namespace = ns,
                Name = name,
                PropagationPolicy = "Background",
                Preconditions = new() { Uid = uid },
            }, cancellationToken).ConfigureAwait(false);
            Recorder.Event(cronJob, EventTypes.Normal, "SuccessfulDelete", $"Deleted job {name}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }
}
