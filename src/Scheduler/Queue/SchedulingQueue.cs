using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler.Queue;

/// <summary>
/// kube-scheduler's scheduling queue over the client library's work queue: an active queue of pods to try, and a
/// set of unschedulable pods that wait for a cluster event (a node added or changed, a pod deleted or bound) that
/// could make them fit, instead of being retried in a loop. Woken pods still honour their own exponential backoff.
/// If an event arrives while a pod's attempt is running, the pod is not parked but requeued (after backoff): the
/// attempt may have read the cluster before the change. A pod keeps the trace contexts of the changes it was queued
/// for while it is parked or backing off, so its next attempt is still part of the trace of its creation.
/// </summary>
public sealed class SchedulingQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly WorkQueue<string> _active;
    private readonly ExponentialFailureRateLimiter<string> _backoff;
    private readonly Dictionary<string, DateTimeOffset> _backoffUntil = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TraceContextSet> _parkedChanges = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxInUnschedulable;
    private readonly ITimer _flushTimer;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;

    public SchedulingQueue(IOptions<SchedulerOptions> options, TimeProvider? timeProvider = null)
    {
        var o = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _backoff = new ExponentialFailureRateLimiter<string>(o.PodInitialBackoff, o.PodMaxBackoff);
        _active = new WorkQueue<string>(timeProvider: _time);
        _maxInUnschedulable = o.PodMaxInUnschedulablePodsDuration;
        var flushPeriod = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _maxInUnschedulable.Ticks / 10));
        _flushTimer = _time.CreateTimer(_ => FlushUnschedulableLeftover(), null, flushPeriod, flushPeriod);
    }

    public int UnschedulableCount
    {
        get
        {
            lock (_lock)
            {
                return _unschedulable.Count;
            }
        }
    }

    /// <summary>Pods waiting to be tried now, waiting for their back-off to pass, and parked until a cluster event.</summary>
    public (int Active, int Backoff, int Unschedulable) Pending()
    {
        lock (_lock)
        {
            return (_active.Count, _active.DelayedCount, _unschedulable.Count);
        }
    }

    public bool IsUnschedulable(string key)
    {
        lock (_lock)
        {
            return _unschedulable.ContainsKey(key);
        }
    }

    /// <summary>A new pending pod, or one whose spec or labels changed: try it (again) now.</summary>
    public void Activate(string key)
    {
        lock (_lock)
        {
            _unschedulable.Remove(key);
            var changes = TraceContextSet.Of(ChangeContext.Current);
            if (_parkedChanges.Remove(key, out var parked))
            {
                TraceContextSet.Merge(ref parked, changes);
                changes = parked;
            }

            _active.Add(key, changes);
        }
    }

    /// <summary>The pod is gone or no longer ours (deleted, bound, handed to another scheduler).</summary>
    public void Delete(string key)
    {
        lock (_lock)
        {
            _unschedulable.Remove(key);
            _parkedChanges.Remove(key);
            _backoffUntil.Remove(key);
            _backoff.Forget(key);
        }
    }

    public async Task<(QueuedPod Pod, bool ShutDown)> PopAsync(CancellationToken cancellationToken)
    {
        var work = await _active.GetItemAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return (new QueuedPod(work.Item, ++_schedulingCycle) { Changes = work.Changes, QueuedAt = work.QueuedAt }, work.ShutDown);
        }
    }

    public void Done(string key) => _active.Done(key);

    /// <summary>The pod was bound: its failure history no longer matters.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _backoffUntil.Remove(key);
            _backoff.Forget(key);
        }
    }

    /// <summary>The pod fits nowhere: park it until a cluster event, or requeue it after backoff if one came during the attempt.</summary>
    public void AddUnschedulable(QueuedPod pod)
    {
        lock (_lock)
        {
            var delay = NextBackoffLocked(pod.Key);
            if (_moveRequestCycle >= pod.Cycle)
            {
                _active.AddAfter(pod.Key, delay, pod.Changes);
            }
            else
            {
                _unschedulable[pod.Key] = _time.GetUtcNow();
                if (pod.Changes is { IsEmpty: false } changes)
                {
                    _parkedChanges[pod.Key] = changes;
                }
            }
        }
    }

    /// <summary>The attempt failed for a reason other than fit (binding, api-server errors): retry after backoff.</summary>
    public void AddBackoff(QueuedPod pod)
    {
        lock (_lock)
        {
            _active.AddAfter(pod.Key, NextBackoffLocked(pod.Key), pod.Changes);
        }
    }

    /// <summary>A cluster event that may let parked pods fit: each goes back, once its backoff has passed.</summary>
    public int MoveAllToActiveOrBackoff()
    {
        lock (_lock)
        {
            _moveRequestCycle = _schedulingCycle;
            var moved = _unschedulable.Count;
            // The event that may let a parked pod fit joins the changes it was parked with.
            var clusterEvent = ChangeContext.Current;
            foreach (var key in _unschedulable.Keys)
            {
                _active.AddAfter(key, RemainingBackoffLocked(key), Unpark(key, clusterEvent));
            }

            _unschedulable.Clear();
            return moved;
        }
    }

    public void ShutDown() => _active.ShutDown();

    public void Dispose()
    {
        _flushTimer.Dispose();
        _active.Dispose();
    }

    /// <summary>Retries pods parked longer than the limit, in case the event that would have woken them was missed.</summary>
    internal void FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var key in _unschedulable.Where(e => now - e.Value >= _maxInUnschedulable).Select(e => e.Key).ToList())
            {
                _unschedulable.Remove(key);
                _active.AddAfter(key, RemainingBackoffLocked(key), Unpark(key, default));
            }
        }
    }

    private TraceContextSet? Unpark(string key, System.Diagnostics.ActivityContext clusterEvent)
    {
        _parkedChanges.Remove(key, out var changes);
        TraceContextSet.Merge(ref changes, clusterEvent);
        return changes;
    }

    private TimeSpan NextBackoffLocked(string key)
    {
        var delay = _backoff.When(key);
        _backoffUntil[key] = _time.GetUtcNow() + delay;
        return delay;
    }

    private TimeSpan RemainingBackoffLocked(string key) =>
        _backoffUntil.TryGetValue(key, out var until) ? until - _time.GetUtcNow() : TimeSpan.Zero;
}
