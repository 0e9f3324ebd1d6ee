using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// client-go's rate-limited work queue. A key waiting in the queue is held once however often it is added; a key
/// being processed is never handed to a second worker, and if it is added meanwhile it is queued again when the
/// worker calls <see cref="Done"/>. Failed keys come back through <see cref="AddRateLimited"/>, by default after the
/// longer of a per-key exponential back-off and an overall token bucket (<see cref="RateLimiters.DefaultController{TKey}"/>),
/// until <see cref="Forget"/>. A named queue publishes client-go's workqueue metrics (<see cref="WorkQueueMetrics"/>).
/// Each key carries the trace contexts of the changes it was queued for (<see cref="TraceContextSet"/>), merged while
/// it waits, and hands them out with it in <see cref="GetItemAsync"/>: an add inside an informer's delivery takes the
/// change's context from <see cref="ChangeContext"/>; a retry passes the contexts it was working for.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private static readonly TimeSpan LongestTimerWait = TimeSpan.FromDays(30);

    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, DateTimeOffset> _waiting = [];
    private readonly Dictionary<TKey, TraceContextSet> _waitingChanges = [];
    private readonly Dictionary<TKey, Pending> _pending = [];
    private readonly PriorityQueue<TKey, DateTimeOffset> _waitingByTime = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly IRateLimiter<TKey> _rateLimiter;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly QueueMetrics<TKey>? _metrics;
    private bool _shuttingDown;

    /// <param name="name">The queue's name in its metrics (client-go's QueueConfig.Name); null for none.</param>
    public WorkQueue(IRateLimiter<TKey>? rateLimiter = null, TimeProvider? timeProvider = null, string? name = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _rateLimiter = rateLimiter ?? RateLimiters.DefaultController<TKey>(_time);
        _timer = _time.CreateTimer(_ => MoveReadyWaitingItems(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (!string.IsNullOrEmpty(name))
        {
            Name = name;
            _metrics = new QueueMetrics<TKey>(name, _time);
            WorkQueueMetrics.Register(_metrics);
        }
    }

    public string? Name { get; }

    /// <summary>Keys waiting to be handed out (not those being processed or waiting for a delay).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keys waiting for a delay (AddAfter, AddRateLimited) to pass before they are queued.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Adds the key for the change an informer is delivering on this thread, if any (<see cref="ChangeContext"/>).</summary>
    public void Add(TKey item) => Add(item, TraceContextSet.Of(ChangeContext.Current));

    /// <summary>Adds the key for the changes of <paramref name="changes"/> (null: none traced).</summary>
    public void Add(TKey item, TraceContextSet? changes)
    {
        lock (_lock)
        {
            AddLocked(item, changes);
        }
    }

    /// <summary>Adds the key once the delay has passed; of several pending delays for a key the earliest wins.</summary>
    public void AddAfter(TKey item, TimeSpan delay) => AddAfter(item, delay, TraceContextSet.Of(ChangeContext.Current));

    /// <summary>Adds the key, for the changes of <paramref name="changes"/>, once the delay has passed.</summary>
    public void AddAfter(TKey item, TimeSpan delay, TraceContextSet? changes)
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(item, changes);
                return;
            }

            // Changes wait with the key whichever delay ends up bringing it back.
            if (changes is { IsEmpty: false })
            {
                _waitingChanges[item] = _waitingChanges.TryGetValue(item, out var waiting) ? Merged(waiting, changes) : changes;
            }

            var readyAt = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var existing) && existing <= readyAt)
            {
                return;
            }

            _waiting[item] = readyAt;
            _waitingByTime.Enqueue(item, readyAt);
            ScheduleTimerLocked();
        }
    }

    /// <summary>Re-adds a key that failed, after its rate limiter's backoff.</summary>
    public void AddRateLimited(TKey item) => AddRateLimited(item, null);

    /// <summary>Re-adds a key that failed, after its backoff, still serving the changes it was processed for.</summary>
    public void AddRateLimited(TKey item, TraceContextSet? changes)
    {
        _metrics?.Retry();
        AddAfter(item, _rateLimiter.When(item), changes);
    }

    /// <summary>Clears the key's failure history: call after it was processed successfully.</summary>
    public void Forget(TKey item) => _rateLimiter.Forget(item);

    public int NumRequeues(TKey item) => _rateLimiter.NumRequeues(item);

    /// <summary>
    /// Waits for a key and marks it as being processed; the caller must call <see cref="Done"/> with it.
    /// Returns ShutDown = true once the queue is shut down and drained.
    /// </summary>
    public async Task<(TKey Item, bool ShutDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        var work = await GetItemAsync(cancellationToken).ConfigureAwait(false);
        return (work.Item, work.ShutDown);
    }

    /// <summary>
    /// <see cref="GetAsync"/> with what the key was queued for: the trace contexts of its changes and when it
    /// became ready to be handed out.
    /// </summary>
    public async Task<WorkItem<TKey>> GetItemAsync(CancellationToken cancellationToken = default)
    {
        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_queue.TryDequeue(out var item))
            {
                _metrics?.Get(item);
                _processing.Add(item);
                _dirty.Remove(item);
                _pending.Remove(item, out var pending);
                return new WorkItem<TKey>(item, false) { Changes = pending.Changes, QueuedAt = pending.QueuedAt };
            }

            // Only shutdown releases without queuing; pass the wake-up on so every waiting worker returns.
            _ready.Release();
            return new WorkItem<TKey>(default!, true);
        }
    }

    /// <summary>Ends processing of the key; if it was added meanwhile it is queued again now.</summary>
    public void Done(TKey item)
    {
        lock (_lock)
        {
            _metrics?.Done(item);
            _processing.Remove(item);
            if (_dirty.Contains(item))
            {
                _queue.Enqueue(item);
                _ready.Release();
            }
        }
    }

    /// <summary>Ignores new keys from now on; workers drain what is queued, then get ShutDown = true.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            _waiting.Clear();
            _waitingChanges.Clear();
            _waitingByTime.Clear();
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _ready.Release();
        }
    }

    public void Dispose()
    {
        ShutDown();
        _timer.Dispose();
        _metrics?.Close();
    }

    private void AddLocked(TKey item, TraceContextSet? changes)
    {
        if (_shuttingDown)
        {
            return;
        }

        if (_dirty.Contains(item))
        {
            if (changes is { IsEmpty: false } && _pending.TryGetValue(item, out var queued))
            {
                _pending[item] = queued with { Changes = queued.Changes is null ? changes : Merged(queued.Changes, changes) };
            }

            return;
        }

        _metrics?.Add(item);
        _dirty.Add(item);
        _pending[item] = new Pending(changes is { IsEmpty: false } ? changes : null, _time.GetUtcNow());
        if (_processing.Contains(item))
        {
            return;
        }

        _queue.Enqueue(item);
        _ready.Release();
    }

    private void MoveReadyWaitingItems()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_waitingByTime.TryPeek(out var item, out var readyAt) && readyAt <= now)
            {
                _waitingByTime.Dequeue();

                // Entries superseded by an earlier AddAfter of the same key are skipped.
                if (_waiting.TryGetValue(item, out var current) && current == readyAt)
                {
                    _waiting.Remove(item);
                    _waitingChanges.Remove(item, out var changes);
                    AddLocked(item, changes);
                }
            }

            ScheduleTimerLocked();
        }
    }

    private void ScheduleTimerLocked()
    {
        if (_shuttingDown || !_waitingByTime.TryPeek(out _, out var next))
        {
            return;
        }

        // Timers take at most about 49 days; a later key (a yearly CronJob) is looked at again after the longest
        // wait, which finds nothing ready yet and waits again.
        var due = next - _time.GetUtcNow();
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due > LongestTimerWait ? LongestTimerWait : due, Timeout.InfiniteTimeSpan);

        // A clock that jumped while the timer was being set (a test's fake clock) would make it fire late.
        if (next <= _time.GetUtcNow())
        {
            _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>One set holding both: sets handed in by callers are never changed, since a caller may hold on to them.</summary>
    private static TraceContextSet Merged(TraceContextSet first, TraceContextSet second)
    {
        var merged = new TraceContextSet();
        merged.AddRange(first);
        merged.AddRange(second);
        return merged;
    }

    /// <summary>A dirty key's changes and the time it became dirty.</summary>
    private readonly record struct Pending(TraceContextSet? Changes, DateTimeOffset QueuedAt);
}
