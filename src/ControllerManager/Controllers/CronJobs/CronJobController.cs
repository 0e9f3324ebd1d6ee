using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.Jobs;

namespace KubeMesh.ControllerManager.Controllers.CronJobs;

/// <summary>
/// Starts each CronJob's Jobs on its schedule (pkg/controller/cronjob, v2): after downtime only the most recent
/// missed time is started, honouring startingDeadlineSeconds, suspend and the concurrency policy; keeps
/// status.active and the finished-job history limits. A CronJob is looked at again exactly at its next schedule
/// time (a delayed requeue on the controller's clock), not by polling.
/// </summary>
public sealed partial class CronJobController : Controller<string>
{
    private readonly Lister<CronJob> _cronJobs;
    private readonly Lister<Job> _jobs;
    private readonly ResourceClient<CronJob> _cronJobClient;
    private readonly ResourceClient<Job> _jobClient;

    public CronJobController(ControllerContext context)
        : base(context, "CronJob", defaultWorkers: 5)
    {
        _cronJobClient = context.Client.For<CronJob>();
        _jobClient = context.Client.For<Job>();
        var cronJobInformer = InformerFor<CronJob>();
        var jobInformer = InformerFor<Job>();
        _cronJobs = cronJobInformer.Lister;
        _jobs = jobInformer.Lister;
        AddEventHandler(
            cronJobInformer,
            onAdd: cj => Queue.Add(MetaNamespaceKey.For(cj.Metadata)),
            onUpdate: (_, cj) => Queue.Add(MetaNamespaceKey.For(cj.Metadata)),
            onDelete: cj => Queue.Add(MetaNamespaceKey.For(cj.Metadata)));
        AddEventHandler(jobInformer, onAdd: EnqueueOwner, onUpdate: (_, job) => EnqueueOwner(job), onDelete: EnqueueOwner);
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var cronJob = _cronJobs.Get(ns, name);
        if (cronJob?.Spec is null)
        {
            return;
        }

        var jobs = _jobs.List(ns).Where(j => OwnerReferences.IsControlledBy(j.Metadata, cronJob.Metadata)).ToList();
        var status = cronJob.Status?.Clone() ?? new CronJobStatus();
        await ReconcileActiveAsync(cronJob, status, jobs, cancellationToken).ConfigureAwait(false);
        var next = cronJob.Metadata.DeletionTimestamp is null
            ? await ScheduleAsync(cronJob, status, jobs, cancellationToken).ConfigureAwait(false)
            : null;
        await _cronJobClient.UpdateStatusIfChangedAsync(cronJob, status, cancellationToken).ConfigureAwait(false);
        await CleanUpHistoryAsync(cronJob, jobs, cancellationToken).ConfigureAwait(false);
        if (next is { } at)
        {
            // A little past the minute, so the next sync finds the schedule time reached on any clock.
            Queue.AddAfter(key, at - Now + TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>status.active lists exactly the owned Jobs still running; finished ones leave it and set lastSuccessfulTime.</summary>
    private async Task ReconcileActiveAsync(CronJob cronJob, CronJobStatus status, List<Job> jobs, CancellationToken cancellationToken)
    {
        foreach (var job in jobs.Where(j => !JobConditions.IsFinished(j) && status.Active.All(a => a.Uid != j.Metadata.Uid)))
        {
            status.Active.Add(Reference(job));
        }

        foreach (var reference in status.Active.ToList())
        {
            var job = jobs.FirstOrDefault(j => j.Metadata.Uid == reference.Uid);
            if (job is null)
            {
                // Gone from the cache: deleted, or created so recently the informer has not seen it; the api-server decides.
                if (!await ExistsInApiServerAsync(reference, cancellationToken).ConfigureAwait(false))
                {
                    status.Active.Remove(reference);
                }
            }
            else if (JobConditions.IsFinished(job))
            {
                status.Active.Remove(reference);
                if (JobConditions.Succeeded(job) && job.Status?.CompletionTime is { } completed
                    && (status.LastSuccessfulTime is null || status.LastSuccessfulTime.ToDateTimeOffset() < completed.ToDateTimeOffset()))
                {
                    status.LastSuccessfulTime = completed;
                }

                Recorder.Event(cronJob, EventTypes.Normal, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {JobConditions.Finished(job)!.Type}");
            }
        }
    }

    private async Task<bool> ExistsInApiServerAsync(ObjectReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var job = await _jobClient.GetAsync(reference.Namespace, reference.Name, cancellationToken).ConfigureAwait(false);
            return job.Metadata.Uid == reference.Uid;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private static ObjectReference Reference(Job job) => new()
    {
        Kind = ResourceKinds.Job.Kind,
        ApiVersion = ResourceKinds.Job.ApiVersion,
        Namespace = job.Metadata.Namespace,
        Name = job.Metadata.Name,
        Uid = job.Metadata.Uid,
        ResourceVersion = job.Metadata.ResourceVersion,
    };

    private void EnqueueOwner(Job job)
    {
        var reference = OwnerReferences.ControllerOf(job.Metadata);
        if (reference?.Kind == ResourceKinds.CronJob.Kind && _cronJobs.Get(job.Metadata.Namespace, reference.Name) is { } cronJob
            && cronJob.Metadata.Uid == reference.Uid)
        {
            Queue.Add(MetaNamespaceKey.For(cronJob.Metadata));
        }
    }

    private static Timestamp ToTimestamp(DateTimeOffset t) => Timestamp.FromDateTimeOffset(t);
}
