using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Client.LeaderElection;
using KubeMesh.Scheduler.Cache;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Metrics;
using KubeMesh.Scheduler.Queue;
using KubeMesh.Scheduler.Results;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler;

/// <summary>
/// The scheduling loop (kube-scheduler's scheduleOne): take a pod from the queue, pick a node from the cache,
/// assume the pod there and bind it in the background so the next pod is scheduled meanwhile. A pod that fits
/// nowhere is reported (PodScheduled=False, a FailedScheduling event) and parked until the cluster changes. Each
/// attempt is a span, "schedule default/web-0", in the trace of the change that queued the pod, with its queue wait,
/// filter and score, and "bind default/web-0 node-2" for the binding cycle; attempts are counted in
/// <see cref="SchedulerMetrics"/>, and a pod that asks for it gets every plugin's verdict (<see cref="SchedulingResults"/>).
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
    SchedulerMetrics metrics,
    SchedulingResultsWriter results,
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

        // Every replica keeps its caches warm; only the lease holder schedules, once its caches hold everything the
        // leader before it bound (SharedInformerFactory.CatchUpAsync): a node's pods missing from a lagging cache
        // would look like free room.
        if (leadership is not null)
        {
            await leadership.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
            await informers.CatchUpAsync(stoppingToken).ConfigureAwait(false);
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
        var started = Stopwatch.GetTimestamp();
        using var activity = WorkTracing.StartWork(SchedulerTracing.Source, "schedule " + queued.Key, queued.Changes);
        RecordQueueWait(activity, queued.QueuedAt);
        try
        {
            var pod = handlers.PendingPods.GetByKey(queued.Key);
            if (pod is null || !handlers.Responsible(pod) || cache.IsAssumedOrBound(queued.Key))
            {
                SchedulerLog.Skipped(logger, queued.Key, pod is null ? "no longer pending" : "not ours, or already assumed");
                activity?.SetTag("scheduler.skipped", pod is null ? "no longer pending" : "not ours, or already assumed");
                return;
            }

            var state = new CycleState();
            var recorded = results.Wanted(pod) ? new SchedulingResults() : null;
            recorded?.Attach(state);
            var result = podScheduler.Schedule(state, pod, cache.Snapshot());
            if (result.FitError is { } fitError)
            {
                SchedulerLog.Unschedulable(logger, pod.Metadata.Namespace, pod.Metadata.Name, fitError.Message);
                activity?.SetStatus(ActivityStatusCode.Error, fitError.Message);
                metrics.Attempt(SchedulerMetrics.Unschedulable, Stopwatch.GetElapsedTime(started));
                queue.AddUnschedulable(queued);
                await reporter.ReportAsync(pod, fitError.Message, cancellationToken).ConfigureAwait(false);
                if (recorded is not null)
                {
                    await results.WriteAsync(pod, recorded, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            var assumed = pod.Clone();
            assumed.Spec.NodeName = result.SuggestedHost!;
            activity?.SetTag("k8s.node.name", assumed.Spec.NodeName);
            cache.AssumePod(assumed);
            Track(BindAsync(state, assumed, queued, result, started, recorded, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            WorkTracing.Fail(activity, e);
            metrics.Attempt(SchedulerMetrics.Error, Stopwatch.GetElapsedTime(started));
            SchedulerLog.CycleFailed(logger, e, queued.Key);
            queue.AddBackoff(queued);
        }
        finally
        {
            queue.Done(queued.Key);
        }
    }

    /// <summary>The attempt's span begins when the pod entered the queue, and its first child is that wait.</summary>
    private static void RecordQueueWait(Activity? activity, DateTimeOffset queuedAt)
    {
        if (activity is null || queuedAt == default || queuedAt.UtcDateTime >= activity.StartTimeUtc)
        {
            return;
        }

        var popped = activity.StartTimeUtc;
        activity.SetStartTime(queuedAt.UtcDateTime);
        using var wait = SchedulerTracing.Source.StartActivity("queue wait");
        wait?.SetStartTime(queuedAt.UtcDateTime);
        wait?.SetEndTime(popped);
    }

    private async Task BindAsync(
        CycleState state, Pod assumed, QueuedPod queued, ScheduleResult result, long started, SchedulingResults? recorded, CancellationToken cancellationToken)
    {
        var ns = assumed.Metadata.Namespace;
        var name = assumed.Metadata.Name;
        var node = assumed.Spec.NodeName;
        Status status;
        using (var bind = SchedulerTracing.Source.StartActivity($"bind {queued.Key} {node}"))
        {
            status = await framework.RunBindPluginAsync(state, assumed, node, cancellationToken).ConfigureAwait(false);
            if (status.IsSuccess)
            {
                recorder.Event(assumed, EventTypes.Normal, "Scheduled", $"Successfully assigned {ns}/{name} to {node}");
            }
            else
            {
                bind?.SetStatus(ActivityStatusCode.Error, status.Message);
            }
        }

        if (status.IsSuccess)
        {
            queue.Forget(queued.Key);
            metrics.Attempt(SchedulerMetrics.Scheduled, Stopwatch.GetElapsedTime(started));
            SchedulerLog.Bound(logger, ns, name, node, result.EvaluatedNodes, result.FeasibleNodes);
        }
        else
        {
            metrics.Attempt(SchedulerMetrics.Error, Stopwatch.GetElapsedTime(started));
            SchedulerLog.BindFailed(logger, ns, name, node, status.Message);
            cache.ForgetPod(queued.Key);
            queue.AddBackoff(queued);
            recorder.Event(assumed, EventTypes.Warning, "FailedScheduling", status.Message);
        }

        if (recorded is not null)
        {
            await results.WriteAsync(assumed, recorded, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Track(Task binding)
    {
        _bindings.TryAdd(binding, 0);
        binding.ContinueWith(t => _bindings.TryRemove(t, out _), TaskScheduler.Default);
    }
}
