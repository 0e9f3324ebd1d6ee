namespace KubeMesh.Client;

/// <summary>
/// client-go's rate-limited work queue. A key waiting in the queue is held once however often it is added; a key
/// being processed is never handed to a second worker, and if it is added meanwhile it is queued again when the
/// worker calls <see cref="Done"/>. Failed keys come back through <see cref="AddRateLimited"/>, by default after the
/// longer of a per-key exponential back-off and an overall token bucket (<see cref="RateLimiters.DefaultController{TKey}"/>),
/// until <see cref="Forget"/>. A named queue publishes client-go's workqueue metrics (<see cref="WorkQueueMetrics"/>).
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

    public void Add(TKey item)
    {
        lock (_lock)
        {
            AddLocked(item);
        }
    }

    /// <summary>Adds the key once the delay has passed; of several pending delays for a key the earliest wins.</summary>
    public void AddAfter(TKey item, TimeSpan delay)
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(item);
                return;
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
    public void AddRateLimited(TKey item)
    {
        _metrics?.Retry();
        AddAfter(item, _rateLimiter.When(item));
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
        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_queue.TryDequeue(out var item))
            {
                _metrics?.Get(item);
                _processing.Add(item);
                _dirty.Remove(item);
                return (item, false);
            }

            // Only shutdown releases without queuing; pass the wake-up on so every waiting worker returns.
            _ready.Release();
            return (default!, true);
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

    private void AddLocked(TKey item)
    {
        if (_shuttingDown || _dirty.Contains(item))
        {
            return;
        }

        _metrics?.Add(item);
        _dirty.Add(item);
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
                    AddLocked(item);
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
}
