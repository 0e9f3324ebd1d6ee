using System.Collections.Concurrent;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Client.LeaderElection;
using KubeMesh.Scheduler.Cache;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler;

/// <summary>
/// The scheduling loop (kube-scheduler's scheduleOne): take a pod from the queue, pick a node from the cache,
/// assume the pod there and bind it in the background so the next pod is scheduled meanwhile. A pod that fits
/// nowhere is reported (PodScheduled=False, a FailedScheduling event) and parked until the cluster changes.
/// </summary>
public sealed class SchedulerService(
    SharedInformerFactory informers,
    SchedulerEventHandlers handlers,
    SchedulerCache cache,
    SchedulingQueue queue,
    PodScheduler podScheduler,
    SchedulingFramework framework,
    UnschedulableReporter reporter,
    EventRecorder recorder,
    SchedulerReadiness readiness,
    IOptions<SchedulerOptions> options,
    ILogger<SchedulerService> logger,
    ILeadership? leadership = null) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _bindings = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        handlers.Register();
        informers.Start();
        await informers.WaitForCacheSyncAsync(stoppingToken).ConfigureAwait(false);
        readiness.MarkSynced();

        // Every replica keeps its caches warm; only the lease holder schedules.
        if (leadership is not null)
        {
            await leadership.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
        }

        SchedulerLog.Started(logger, options.Value.SchedulerName);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (pod, shutDown) = await queue.PopAsync(stoppingToken).ConfigureAwait(false);
                if (shutDown)
                {
                    return;
                }

                await ScheduleOneAsync(pod, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.ShutDown();
            await Task.WhenAll(_bindings.Keys).ConfigureAwait(false);
        }
    }

    internal async Task ScheduleOneAsync(QueuedPod queued, CancellationToken cancellationToken)
    {
        try
        {
            var pod = handlers.PendingPods.GetByKey(queued.Key);
            if (pod is null || !handlers.Responsible(pod) || cache.IsAssumedOrBound(queued.Key))
            {
                SchedulerLog.Skipped(logger, queued.Key, pod is null ? "no longer pending" : "not ours, or already assumed");
                return;
            }

            var state = new CycleState();
            var result = podScheduler.Schedule(state, pod, cache.Snapshot());
            if (result.FitError is { } fitError)
            {
                SchedulerLog.Unschedulable(logger, pod.Metadata.Namespace, pod.Metadata.Name, fitError.Message);
                queue.AddUnschedulable(queued);
                await reporter.ReportAsync(pod, fitError.Message, cancellationToken).ConfigureAwait(false);
                return;
            }

            var assumed = pod.Clone();
            assumed.Spec.NodeName = result.SuggestedHost!;
            cache.AssumePod(assumed);
            Track(BindAsync(state, assumed, queued, result, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.CycleFailed(logger, e, queued.Key);
            queue.AddBackoff(queued);
        }
        finally
        {
            queue.Done(queued.Key);
        }
    }

    private async Task BindAsync(CycleState state, Pod assumed, QueuedPod queued, ScheduleResult result, CancellationToken cancellationToken)
    {
        var ns = assumed.Metadata.Namespace;
        var name = assumed.Metadata.Name;
        var node = assumed.Spec.NodeName;
        var status = await framework.RunBindPluginAsync(state, assumed, node, cancellationToken).ConfigureAwait(false);
        if (status.IsSuccess)
        {
            queue.Forget(queued.Key);
            SchedulerLog.Bound(logger, ns, name, node, result.EvaluatedNodes, result.FeasibleNodes);
            recorder.Event(assumed, EventTypes.Normal, "Scheduled", $"Successfully assigned {ns}/{name} to {node}");
            return;
        }

        SchedulerLog.BindFailed(logger, ns, name, node, status.Message);
        cache.ForgetPod(queued.Key);
        queue.AddBackoff(queued);
        recorder.Event(assumed, EventTypes.Warning, "FailedScheduling", status.Message);
    }

    private void Track(Task binding)
    {
        _bindings.TryAdd(binding, 0);
        binding.ContinueWith(t => _bindings.TryRemove(t, out _), TaskScheduler.Default);
    }
}
