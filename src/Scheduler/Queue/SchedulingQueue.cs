using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler.Queue;

/// <summary>
/// kube-scheduler's scheduling queue over the client library's work queue: an active queue of pods to try, and a
/// set of unschedulable pods that wait for a cluster event (a node added or changed, a pod deleted or bound) that
/// could make them fit, instead of being retried in a loop. Woken pods still honour their own exponential backoff.
/// If an event arrives while a pod's attempt is running, the pod is not parked but requeued (after backoff): the
/// attempt may have read the cluster before the change.
/// </summary>
public sealed class SchedulingQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly WorkQueue<string> _active;
    private readonly ExponentialFailureRateLimiter<string> _backoff;
    private readonly Dictionary<string, DateTimeOffset> _backoffUntil = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _unschedulable = new(StringComparer.Ordinal);
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
            _active.Add(key);
        }
    }

    /// <summary>The pod is gone or no longer ours (deleted, bound, handed to another scheduler).</summary>
    public void Delete(string key)
    {
        lock (_lock)
        {
            _unschedulable.Remove(key);
            _backoffUntil.Remove(key);
            _backoff.Forget(key);
        }
    }

    public async Task<(QueuedPod Pod, bool ShutDown)> PopAsync(CancellationToken cancellationToken)
    {
        var (key, shutDown) = await _active.GetAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return (new QueuedPod(key, ++_schedulingCycle), shutDown);
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
                _active.AddAfter(pod.Key, delay);
            }
            else
            {
                _unschedulable[pod.Key] = _time.GetUtcNow();
            }
        }
    }

    /// <summary>The attempt failed for a reason other than fit (binding, api-server errors): retry after backoff.</summary>
    public void AddBackoff(QueuedPod pod)
    {
        lock (_lock)
        {
            _active.AddAfter(pod.Key, NextBackoffLocked(pod.Key));
        }
    }

    /// <summary>A cluster event that may let parked pods fit: each goes back, once its backoff has passed.</summary>
    public int MoveAllToActiveOrBackoff()
    {
        lock (_lock)
        {
            _moveRequestCycle = _schedulingCycle;
            var moved = _unschedulable.Count;
            foreach (var key in _unschedulable.Keys)
            {
                _active.AddAfter(key, RemainingBackoffLocked(key));
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
                _active.AddAfter(key, RemainingBackoffLocked(key));
            }
        }
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
