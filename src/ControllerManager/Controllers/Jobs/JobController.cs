using Grpc.Core;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Jobs;

/// <summary>
/// Runs each Job's pods to completion (pkg/controller/job): keeps min(parallelism, remaining completions) pods
/// active, counts succeeded and failed pods, fails the Job past its backoffLimit or activeDeadlineSeconds and
/// completes it when enough pods succeeded. A finished Job with ttlSecondsAfterFinished is deleted when its time
/// is up (kube's ttlafterfinished controller); the garbage collector then removes its pods.
/// </summary>
public sealed partial class JobController : Controller<string>
{
    private readonly Lister<Job> _jobs;
    private readonly Lister<Pod> _pods;
    private readonly ResourceClient<Job> _jobClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ControllerExpectations _expectations;
    private readonly PodControl _podControl;
    private readonly JobOptions _options;

    public JobController(ControllerContext context)
        : base(context, "Job", defaultWorkers: 5)
    {
        _jobClient = context.Client.For<Job>();
        _podClient = context.Client.For<Pod>();
        _expectations = new ControllerExpectations(context.Time);
        _podControl = new PodControl(_podClient, Recorder, _expectations);
        _options = context.Configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new JobOptions();
        var jobInformer = InformerFor<Job>();
        var podInformer = InformerFor<Pod>();
        ControllerIndex.AddTo(podInformer);
        _jobs = jobInformer.Lister;
        _pods = podInformer.Lister;
        AddEventHandler(
            jobInformer,
            onAdd: job => Queue.Add(MetaNamespaceKey.For(job.Metadata)),
            onUpdate: (_, job) => Queue.Add(MetaNamespaceKey.For(job.Metadata)),
            onDelete: job =>
            {
                var key = MetaNamespaceKey.For(job.Metadata);
                _expectations.Delete(key);
                Queue.Add(key);
            });
        AddEventHandler(podInformer, onAdd: AddPod, onUpdate: (old, pod) => UpdatePod(old, pod), onDelete: DeletePod);
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var job = _jobs.Get(ns, name);
        if (job is null)
        {
            _expectations.Delete(key);
            return;
        }

        var satisfied = _expectations.Satisfied(key);
        var claimer = new ControllerRefManager<Pod>(_podClient, job, JobPods.Selector(job), _jobClient.Untyped);
        var pods = await claimer.ClaimAsync(ControllerIndex.OwnedOrOrphaned(_pods, job.Metadata), cancellationToken).ConfigureAwait(false);
        if (JobConditions.IsFinished(job))
        {
            // The terminal status is written before any pod is deleted, so the counts never depend on pods that are gone.
            await _podControl.DeletePodsAsync(job, key, [.. pods.Where(PodConditions.IsActive)], cancellationToken).ConfigureAwait(false);
            await DeleteIfExpiredAsync(job, key, cancellationToken).ConfigureAwait(false);
            return;
        }

        var status = job.Status?.Clone() ?? new JobStatus();
        if (status.StartTime is null && job.Spec?.Suspend != true)
        {
            status.StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Now);
        }

        var active = pods.Where(PodConditions.IsActive).ToList();
        status.Succeeded = Math.Max(status.Succeeded, pods.Count(JobPods.IsSucceeded));
        status.Failed = Math.Max(status.Failed, pods.Count(JobPods.IsFailed));

        Exception? manageError = null;
        if (FailureOf(job, status, pods) is { } failure)
        {
            status.Failed += active.Count;
            status.Active = 0;
            status.Ready = 0;
            status.Conditions.Add(JobConditions.New(JobConditions.Failed, failure.Reason, failure.Message, Now));
            await _jobClient.UpdateStatusIfChangedAsync(job, status, cancellationToken).ConfigureAwait(false);
            Recorder.Event(job, EventTypes.Warning, failure.Reason, failure.Message);
            Queue.Add(key);
            return;
        }

        if (IsComplete(job, status, active))
        {
            status.Active = 0;
            status.Ready = 0;
            status.CompletionTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Now);
            status.Conditions.Add(JobConditions.New(JobConditions.Complete, "", "", Now));
            await _jobClient.UpdateStatusIfChangedAsync(job, status, cancellationToken).ConfigureAwait(false);
            Recorder.Event(job, EventTypes.Normal, "Completed", "Job completed");
            Queue.Add(key);
            return;
        }

        var activeCount = active.Count;
        if (satisfied && job.Metadata.DeletionTimestamp is null)
        {
            try
            {
                activeCount += await ManagePodsAsync(job, key, pods, active, status.Succeeded, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                manageError = e;
            }
        }

        status.Active = activeCount;
        status.Ready = active.Count(PodConditions.IsReady);
        await _jobClient.UpdateStatusIfChangedAsync(job, status, cancellationToken).ConfigureAwait(false);
        if (DeadlineRemaining(job, status) is { } remaining)
        {
            Queue.AddAfter(key, remaining);
        }

        if (manageError is not null)
        {
            throw manageError;
        }
    }

    /// <summary>backoffLimit counts failed pods and, for pods restarted in place, container restarts; then the deadline.</summary>
    private (string Reason, string Message)? FailureOf(Job job, JobStatus status, List<Pod> pods)
    {
        var limit = job.Spec?.HasBackoffLimit == true ? job.Spec.BackoffLimit : 6;
        var restarts = JobPods.Restarts(pods.Where(PodConditions.IsActive));
        if (status.Failed > limit || (restarts > 0 && status.Failed + restarts >= limit))
        {
            return ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }

        if (DeadlineRemaining(job, status) is { } remaining && remaining <= TimeSpan.Zero)
        {
            return ("DeadlineExceeded", "Job was active longer than specified deadline");
        }

        return null;
    }

    private TimeSpan? DeadlineRemaining(Job job, JobStatus status) =>
        job.Spec?.HasActiveDeadlineSeconds == true && status.StartTime is { } start
            ? start.ToDateTimeOffset().AddSeconds(job.Spec.ActiveDeadlineSeconds) - Now
            : null;

    /// <summary>With completions, enough successes; without (a work queue), any success once every pod has finished.</summary>
    private static bool IsComplete(Job job, JobStatus status, List<Pod> active) =>
        job.Spec?.HasCompletions == true
            ? status.Succeeded >= job.Spec.Completions
            : status.Succeeded > 0 && active.Count == 0;
}
