using Grpc.Core;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Jobs;

public sealed partial class JobController
{
    /// <summary>
    /// Creates or deletes pods toward the wanted active count; returns the change in active pods. Replacements of
    /// failed pods wait out the back-off, so a crashing command is retried at 10 s, 20 s, 40 s... and not in a tight loop.
    /// </summary>
    private async Task<int> ManagePodsAsync(Job job, string key, List<Pod> pods, List<Pod> active, int succeeded, CancellationToken cancellationToken)
    {
        var spec = job.Spec!;
        var parallelism = spec.HasParallelism ? spec.Parallelism : 1;
        var wanted = spec.Suspend ? 0
            : spec.HasCompletions ? Math.Min(parallelism, Math.Max(0, spec.Completions - succeeded))
            : succeeded > 0 ? Math.Min(active.Count, parallelism) : parallelism;
        var diff = wanted - active.Count;
        if (diff > 0 && JobBackOff.Remaining(pods, _options, Now) is var backOff && backOff > TimeSpan.Zero)
        {
            Queue.AddAfter(key, backOff);
            return 0;
        }

        if (diff > 0)
        {
            return await _podControl.CreatePodsAsync(job, key, diff, _ => JobPods.New(job), cancellationToken).ConfigureAwait(false);
        }

        if (diff < 0)
        {
            var victims = active.Order(ActivePodsComparer.Instance).Take(-diff).ToList();
            await _podControl.DeletePodsAsync(job, key, victims, cancellationToken).ConfigureAwait(false);
            return diff;
        }

        return 0;
    }

    /// <summary>The ttlafterfinished controller's work: delete the finished Job once its TTL has passed, else look again then.</summary>
    private async Task DeleteIfExpiredAsync(Job job, string key, CancellationToken cancellationToken)
    {
        if (job.Spec?.HasTtlSecondsAfterFinished != true || job.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var finished = job.Status?.CompletionTime?.ToDateTimeOffset()
            ?? JobConditions.Finished(job)?.LastTransitionTime?.ToDateTimeOffset()
            ?? Now;
        var remaining = finished.AddSeconds(job.Spec.TtlSecondsAfterFinished) - Now;
        if (remaining > TimeSpan.Zero)
        {
            Queue.AddAfter(key, remaining);
            return;
        }

        try
        {
            await _jobClient.DeleteAsync(new DeleteRequest
            {
                Namespace = job.Metadata.Namespace,
                Name = job.Metadata.Name,
                PropagationPolicy = "Background",
                Preconditions = new() { Uid = job.Metadata.Uid },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    private Job? ResolveControllerRef(Pod pod)
    {
        var reference = OwnerReferences.ControllerOf(pod.Metadata);
        if (reference is null || reference.Kind != ResourceKinds.Job.Kind)
        {
            return null;
        }

        var job = _jobs.Get(pod.Metadata.Namespace, reference.Name);
        return job?.Metadata.Uid == reference.Uid ? job : null;
    }

    internal void AddPod(Pod pod)
    {
        if (ResolveControllerRef(pod) is { } job)
        {
            var key = MetaNamespaceKey.For(job.Metadata);
            _expectations.CreationObserved(key);
            Queue.Add(key);
        }
        else if (OwnerReferences.ControllerOf(pod.Metadata) is null)
        {
            EnqueueMatchingJobs(pod);
        }
    }

    internal void UpdatePod(Pod old, Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion)
        {
            return;
        }

        if (ResolveControllerRef(old) is { } oldJob)
        {
            Queue.Add(MetaNamespaceKey.For(oldJob.Metadata));
        }

        if (ResolveControllerRef(pod) is { } job)
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                _expectations.DeletionObserved(MetaNamespaceKey.For(job.Metadata), MetaNamespaceKey.For(pod.Metadata));
            }

            Queue.Add(MetaNamespaceKey.For(job.Metadata));
        }
        else if (OwnerReferences.ControllerOf(pod.Metadata) is null)
        {
            EnqueueMatchingJobs(pod);
        }
    }

    internal void DeletePod(Pod pod)
    {
        if (ResolveControllerRef(pod) is { } job)
        {
            var key = MetaNamespaceKey.For(job.Metadata);
            _expectations.DeletionObserved(key, MetaNamespaceKey.For(pod.Metadata));
            Queue.Add(key);
        }
    }

    private void EnqueueMatchingJobs(Pod pod)
    {
        foreach (var job in _jobs.List(pod.Metadata.Namespace))
        {
            if (JobPods.Selector(job).Matches(pod.Metadata.Labels))
            {
                Queue.Add(MetaNamespaceKey.For(job.Metadata));
            }
        }
    }
}
