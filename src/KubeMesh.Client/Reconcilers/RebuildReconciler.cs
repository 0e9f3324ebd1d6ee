using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Client;

/// <summary>
/// Rebuilds a whole derived state (a DNS zone, a proxy's listeners, an ingress configuration) from informer caches
/// whenever what it reads changes: kube-proxy's BoundedFrequencyRunner written over the work queue with a single
/// key. A change only requests a rebuild, so a burst of changes costs one; rebuilds start at most once per
/// <see cref="RebuildReconcilerOptions.MinInterval"/>. A rebuild that throws, or reports work left undone, is logged
/// and retried with exponential back-off (a change meanwhile retries sooner); a successful one is repeated every
/// <see cref="RebuildReconcilerOptions.ResyncPeriod"/>. Nothing a rebuild throws ends the loop.
/// </summary>
public sealed class RebuildReconciler : IDisposable
{
    private const string Key = "rebuild";

    private readonly Func<CancellationToken, Task<bool>> _rebuild;
    private readonly RebuildReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WorkQueue<string> _queue;
    private readonly List<ICacheSync> _caches = [];
    private readonly TaskCompletionSource _firstSuccess = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastStart;
    private int _started;
    private long _rebuilds;
    private volatile int _failures;

    /// <param name="name">What is rebuilt, in logs and as the work queue's metrics name.</param>
    /// <param name="rebuild">Builds and applies the state; returns false when part of it must be retried.</param>
    public RebuildReconciler(
        string name, Func<CancellationToken, Task<bool>> rebuild, RebuildReconcilerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        Name = name;
        _rebuild = rebuild;
        _options = options ?? new RebuildReconcilerOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _queue = new WorkQueue<string>(
            new ExponentialFailureRateLimiter<string>(_options.InitialRetryDelay, _options.MaxRetryDelay), _time, name);
    }

    public string Name { get; }

    /// <summary>True once a rebuild has succeeded: the state reflects the caches' first full lists.</summary>
    public bool HasSucceeded => _firstSuccess.Task.IsCompleted;

    /// <summary>Rebuilds finished so far, failed ones included; counted once the next one (retry or resync) is scheduled.</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>Failed rebuilds since the last success.</summary>
    public int ConsecutiveFailures => _failures;

    public Task WaitForFirstSuccessAsync(CancellationToken cancellationToken) => _firstSuccess.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Requests a rebuild on every change the informer sees that <paramref name="filter"/> admits (all when null);
    /// the first rebuild waits until this handler has been given the informer's first list.
    /// </summary>
    public void Watch<T>(Informer<T> informer, Func<T, bool>? filter = null)
        where T : class, IMessage<T>, new()
    {
        void Changed(T obj)
        {
            if (filter is null || filter(obj))
            {
                Request();
            }
        }

        _caches.Add(informer.AddEventHandler(onAdd: Changed, onUpdate: (_, obj) => Changed(obj), onDelete: Changed, resyncPeriod: TimeSpan.Zero));
    }

    /// <summary>Asks for a rebuild after the delay; requests before it starts are one rebuild.</summary>
    public void Request()
    {
        var delay = _options.Delay;
        lock (_lock)
        {
            if (_lastStart is { } last && last + _options.MinInterval - _time.GetUtcNow() is var wait && wait > delay)
            {
                delay = wait;
            }
        }

        _queue.AddAfter(Key, delay);
    }

    /// <summary>Waits for the watched caches, rebuilds, then rebuilds on every request until cancelled. Runs once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException($"The {Name} reconciler is already running.");
        }

        try
        {
            await CacheSync.WaitForNamedCacheSyncAsync(Name, _caches, _logger, cancellationToken).ConfigureAwait(false);
            using var shutDown = cancellationToken.Register(_queue.ShutDown);
            _queue.Add(Key);
            while (true)
            {
                var (key, stopped) = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
                if (stopped)
                {
                    return;
                }

                try
                {
                    _failures = await RebuildOnceAsync(cancellationToken).ConfigureAwait(false) ? 0 : _failures + 1;
                    Interlocked.Increment(ref _rebuilds);
                }
                finally
                {
                    _queue.Done(key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _queue.Dispose();

    /// <summary>One rebuild; schedules the retry or the resync. False when it failed.</summary>
    private async Task<bool> RebuildOnceAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _lastStart = _time.GetUtcNow();
        }

        var started = Stopwatch.GetTimestamp();
        bool complete;
        try
        {
            complete = await _rebuild(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            RebuildReconcilerLog.Failed(_logger, e, Name, _queue.NumRequeues(Key) + 1);
            _queue.AddRateLimited(Key);
            return false;
        }

        if (!complete)
        {
            RebuildReconcilerLog.Incomplete(_logger, Name, _queue.NumRequeues(Key) + 1);
            _queue.AddRateLimited(Key);
            return false;
        }

        RebuildReconcilerLog.Rebuilt(_logger, Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _queue.Forget(Key);
        _firstSuccess.TrySetResult();
        if (_options.ResyncPeriod > TimeSpan.Zero)
        {
            _queue.AddAfter(Key, _options.ResyncPeriod);
        }

        return true;
    }
}
