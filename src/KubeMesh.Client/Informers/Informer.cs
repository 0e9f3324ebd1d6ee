using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Selectors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Client;

/// <summary>
/// Keeps a local cache of one kind in step with the api-server (client-go's reflector and shared informer): lists,
/// then watches from the list's resourceVersion. A dropped or failed watch resumes from the last resourceVersion
/// seen, after an exponential backoff; an expired one (OUT_OF_RANGE) re-lists and notifies the differences, so
/// handlers see every object that appeared, changed or disappeared meanwhile. Each handler is fed from its own
/// buffer and, if it asks for a resync period, is given every cached object again as an update that often.
/// </summary>
public sealed class Informer<T> : ICacheSync
    where T : class, IMessage<T>, new()
{
    // client-go's minimumResyncPeriod: anything shorter would only spin the handlers.
    private static readonly TimeSpan MinimumResyncPeriod = TimeSpan.FromSeconds(1);

    private readonly ResourceClient<T> _client;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly InformerStore<T> _store;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _resyncLock = new();
    private ITimer? _resyncTimer;
    private TimeSpan _resyncCheckPeriod = Timeout.InfiniteTimeSpan;
    private int _started;
    private volatile bool _progress;
    private volatile string _lastSyncResourceVersion = "";
    private readonly Lock _freshLock = new();
    private readonly List<TaskCompletionSource> _relistWaiters = [];
    private CancellationTokenSource? _attempt;

    /// <param name="defaultResync">The resync period of handlers added without one; zero for none.</param>
    /// <exception cref="FormatException">The options' label or field selector is invalid for the kind.</exception>
    public Informer(
        ResourceClient<T> client, InformerOptions? options = null, ILogger? logger = null, TimeSpan defaultResync = default, TimeProvider? time = null)
    {
        _client = client;
        _options = options ?? InformerOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        DefaultResync = defaultResync;
        LabelSelectorExpression.Parse(_options.LabelSelector);
        FieldSelector.Parse(_options.FieldSelector, client.Kind);
        _store = new InformerStore<T>(new InformerCache<T>(client.Kind), _logger, _time);
        Lister = new Lister<T>(_store.Cache);
    }

    public Lister<T> Lister { get; }

    /// <summary>The cache behind <see cref="Lister"/> (client-go's GetStore); a unit test fills it in place of a running informer.</summary>
    public InformerCache<T> Cache => _store.Cache;

    public InformerOptions Options => _options;

    public TimeSpan DefaultResync { get; }

    /// <summary>The resource and its scope, for logs: "pods", or "leases (namespace kube-node-lease)".</summary>
    public string Name => _options.Describe() is { Length: > 0 } scope ? $"{_client.Kind.Plural} ({scope})" : _client.Kind.Plural;

    /// <summary>True once the first list has been stored and queued for the handlers.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The revision the cache reflects; the next watch resumes from it.</summary>
    public string LastSyncResourceVersion
    {
        get => _lastSyncResourceVersion;
        private set => _lastSyncResourceVersion = value;
    }

    /// <summary>
    /// Brings the cache and its handlers up to the store as it is now: a fresh list, read after this call, replaces the
    /// cache (the current watch is ended for it, or its backoff cut short) and the handlers are told the differences,
    /// as on any re-list; then this waits until every handler has been given them. The watch may simply have been
    /// behind, or retrying after its api-server went away. A process that has just won its leader election calls this
    /// before acting on the caches it kept warm as a standby, as kube-controller-manager starts its informers, with a
    /// fresh list, only once it leads. Waits through list failures (they are retried with backoff) until cancelled.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenSource? attempt;
        lock (_freshLock)
        {
            _relistWaiters.Add(listed);
            attempt = _attempt;
        }

        // Outside the lock: cancelling runs the watch call's callbacks. An attempt that ended meanwhile was disposed;
        // the next one lists anyway.
        try
        {
            attempt?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        await listed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // The handlers have been told: a component that keeps its own state from them (the scheduler's cache) is
        // caught up as well.
        await Task.WhenAll(_store.Listeners.Select(l => l.PassedAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <param name="resyncPeriod">How often the handler gets every object again as an update; null for the informer's default.</param>
    public IResourceEventHandlerRegistration AddEventHandler(IResourceEventHandler<T> handler, TimeSpan? resyncPeriod = null) =>
        AddListener(handler, handler.GetType().Name, resyncPeriod);

    public IResourceEventHandlerRegistration AddEventHandler(
        Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null, TimeSpan? resyncPeriod = null) =>
        AddListener(new ResourceEventHandler<T>(onAdd, onUpdate, onDelete), OwnerName(onAdd ?? onUpdate ?? (Delegate?)onDelete), resyncPeriod);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken) => WaitForSyncAsync(cancellationToken);

    /// <summary>Waits for the first list and for every handler added so far to have been given it.</summary>
    public Task WaitForHandlersSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_store.Listeners.Select(l => l.WaitForSyncAsync(cancellationToken)).Append(WaitForSyncAsync(cancellationToken)));

    /// <summary>Lists and watches, and feeds the handlers, until cancelled. An informer runs once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The informer is already running.");
        }

        _store.StartListeners(cancellationToken);
        using (var resync = _time.CreateTimer(_ => Resync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
        {
            lock (_resyncLock)
            {
                _resyncTimer = resync;
            }

            UpdateResyncCheckPeriod();
            try
            {
                await ReflectAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_resyncLock)
                {
                    _resyncTimer = null;
                }
            }
        }

        await _store.ListenersStopped().ConfigureAwait(false);
    }

    private IResourceEventHandlerRegistration AddListener(IResourceEventHandler<T> handler, string owner, TimeSpan? resyncPeriod)
    {
        var period = resyncPeriod ?? DefaultResync;
        if (period > TimeSpan.Zero && period < MinimumResyncPeriod)
        {
            InformerLog.ResyncTooShort(_logger, _client.Kind.Plural, period, MinimumResyncPeriod);
            period = MinimumResyncPeriod;
        }

        var listener = _store.AddListener(handler, $"{Name} handler of {owner}", period < TimeSpan.Zero ? TimeSpan.Zero : period);
        UpdateResyncCheckPeriod();
        return listener;
    }

    /// <summary>The type that registered a delegate handler, for logs: the controller, not its compiler-made closure.</summary>
    private static string OwnerName(Delegate? handler)
    {
        var type = handler?.Method.DeclaringType;
        while (type is { DeclaringType: not null } && type.Name.StartsWith('<'))
        {
            type = type.DeclaringType;
        }

        return type?.Name ?? "no callbacks";
    }

    /// <summary>
    /// Checks for due resyncs every resyncCheckPeriod, the shortest period a handler asked for (client-go's
    /// resyncCheckPeriod), and gives each due handler every object again, once the first list is in.
    /// </summary>
    private void UpdateResyncCheckPeriod()
    {
        lock (_resyncLock)
        {
            var period = _store.ShortestResyncPeriod() ?? Timeout.InfiniteTimeSpan;
            if (_resyncTimer is { } timer && period != _resyncCheckPeriod)
            {
                timer.Change(period, period);
                _resyncCheckPeriod = period;
            }
        }
    }

    private void Resync()
    {
        if (!HasSynced)
        {
            return;
        }

        var resent = _store.Resync(_time.GetUtcNow());
        if (resent > 0)
        {
            InformerLog.Resynced(_logger, _client.Kind.Plural, resent);
        }
    }


    /// <summary>The reflector: lists, then watches from the last resourceVersion, until cancelled.</summary>
    private async Task ReflectAsync(CancellationToken cancellationToken)
    {
        var needList = true;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            _progress = false;

            // One list-and-watch attempt; CatchUpAsync cancels it to have a fresh list at once.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            TaskCompletionSource[] waiting;
            lock (_freshLock)
            {
                _attempt = attempt;

                // Waiters of CatchUpAsync that came before this list begins: it reads the store after their call.
                // They stay queued until a list succeeds.
                waiting = [.. _relistWaiters];
            }

            needList |= waiting.Length > 0;
            try
            {
                try
                {
                    if (needList)
                    {
                        await ListAsync(cancellationToken).ConfigureAwait(false);
                        needList = false;
                        Listed(waiting);
                    }

                    var watchStarted = Stopwatch.GetTimestamp();
                    await WatchAsync(attempt.Token).ConfigureAwait(false);

                    // A server closing a stream that carried events or stayed open a while is normal (timeouts,
                    // restarts): resume at once. One that closes straight away again and again gets backoff.
                    var healthy = _progress || Stopwatch.GetElapsedTime(watchStarted) >= TimeSpan.FromSeconds(1);
                    failures = healthy ? 0 : failures + 1;
                    InformerLog.WatchEnded(_logger, _client.Kind.Plural, LastSyncResourceVersion, Delay(failures));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception) when (!needList && attempt.IsCancellationRequested)
                {
                    // The watch was ended for a fresh list (CatchUpAsync): the next attempt lists, at once.
                    continue;
                }
                catch (RpcException e) when (!needList && e.StatusCode == StatusCode.OutOfRange)
                {
                    InformerLog.WatchExpired(_logger, _client.Kind.Plural, LastSyncResourceVersion);
                    needList = true;

                    // A watch that expires right after the list that started it is retried with backoff, not in a loop.
                    failures = _progress ? 0 : failures + 1;
                }
                catch (Exception e) when (!needList)
                {
                    failures = _progress ? 1 : failures + 1;
                    var code = e is RpcException rpc ? rpc.StatusCode.ToString() : e.GetType().Name;
                    InformerLog.WatchFailed(_logger, e, _client.Kind.Plural, code, LastSyncResourceVersion, Delay(failures));
                }
                catch (Exception e)
                {
                    failures++;
                    InformerLog.ListFailed(_logger, e, _client.Kind.Plural, Delay(failures));
                }

                // A failed list waits out its backoff; a failed watch's backoff ends early if a fresh list is asked for.
                try
                {
                    await Task.Delay(Delay(failures), _time, needList ? cancellationToken : attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                lock (_freshLock)
                {
                    _attempt = null;
                }
            }
        }
    }

    /// <summary>A list succeeded: the CatchUpAsync waiters queued before it began are served and leave the queue.</summary>
    private void Listed(TaskCompletionSource[] waiting)
    {
        if (waiting.Length == 0)
        {
            return;
        }

        lock (_freshLock)
        {
            _relistWaiters.RemoveAll(waiting.Contains);
        }

        foreach (var listed in waiting)
        {
            listed.TrySetResult();
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(
            new ListRequest
            {
                Namespace = _options.Namespace,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
            },
            cancellationToken).ConfigureAwait(false);

        var (added, updated, deleted) = _store.Replace(list.Items);
        LastSyncResourceVersion = list.ResourceVersion;
        InformerLog.Listed(_logger, _client.Kind.Plural, list.Items.Count, list.ResourceVersion);
        if (HasSynced)
        {
            InformerLog.Relisted(_logger, _client.Kind.Plural, added, updated, deleted);
        }

        _synced.TrySetResult();
    }

    /// <summary>Applies watch events until the stream ends, noting in _progress whether any arrived.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        InformerLog.Watching(_logger, _client.Kind.Plural, LastSyncResourceVersion);
        var request = new WatchRequest
        {
            Namespace = _options.Namespace,
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ResourceVersion = LastSyncResourceVersion,
            AllowWatchBookmarks = true,
        };

        await foreach (var e in _client.WatchAsync(request, cancellationToken).ConfigureAwait(false))
        {
            _progress = true;
            if (e.Type != WatchEventType.Bookmark)
            {
                _store.Apply(e);
            }

            var resourceVersion = _store.ResourceVersionOf(e.Object);
            if (resourceVersion.Length > 0)
            {
                LastSyncResourceVersion = resourceVersion;
            }
        }
    }

    private TimeSpan Delay(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var ms = Math.Min(
            _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, failures - 1),
            _options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 + (0.1 * Random.Shared.NextDouble())));
    }
}
