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
/// handlers see every object that appeared, changed or disappeared meanwhile.
/// </summary>
public sealed class Informer<T>
    where T : class, IMessage<T>, new()
{
    private readonly ResourceClient<T> _client;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly InformerStore<T> _store;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private volatile bool _progress;
    private volatile string _lastSyncResourceVersion = "";

    /// <exception cref="FormatException">The options' label or field selector is invalid for the kind.</exception>
    public Informer(ResourceClient<T> client, InformerOptions? options = null, ILogger? logger = null)
    {
        _client = client;
        _options = options ?? InformerOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        LabelSelectorExpression.Parse(_options.LabelSelector);
        FieldSelector.Parse(_options.FieldSelector, client.Kind);
        _store = new InformerStore<T>(client.Kind, _logger);
        Lister = new Lister<T>(_store.Items, client.Kind);
    }

    public Lister<T> Lister { get; }

    public InformerOptions Options => _options;

    /// <summary>True once the first list has been stored and notified.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The revision the cache reflects; the next watch resumes from it.</summary>
    public string LastSyncResourceVersion
    {
        get => _lastSyncResourceVersion;
        private set => _lastSyncResourceVersion = value;
    }

    public void AddEventHandler(IResourceEventHandler<T> handler) => _store.AddHandler(handler);

    public void AddEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        _store.AddHandler(new ResourceEventHandler<T>(onAdd, onUpdate, onDelete));

    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists and watches until cancelled. An informer runs once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The informer is already running.");
        }

        var needList = true;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            _progress = false;
            try
            {
                if (needList)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                }

                var watchStarted = Stopwatch.GetTimestamp();
                await WatchAsync(cancellationToken).ConfigureAwait(false);

                // A server closing a stream that carried events or stayed open a while is normal (timeouts,
                // restarts): resume at once. One that closes straight away again and again gets backoff.
                var healthy = _progress || Stopwatch.GetElapsedTime(watchStarted) >= TimeSpan.FromSeconds(1);
                failures = healthy ? 0 : failures + 1;
                InformerLog.WatchEnded(_logger, _client.Kind.Plural, LastSyncResourceVersion, Delay(failures));
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (!needList && e.StatusCode == StatusCode.OutOfRange)
            {
                InformerLog.WatchExpired(_logger, _client.Kind.Plural, LastSyncResourceVersion);
                needList = true;

                // A watch that expires right after the list that started it is retried with backoff, not in a loop.
                failures = _progress ? 0 : failures + 1;
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!needList)
            {
                failures = _progress ? 1 : failures + 1;
                var code = e is RpcException rpc ? rpc.StatusCode.ToString() : e.GetType().Name;
                InformerLog.WatchFailed(_logger, e, _client.Kind.Plural, code, LastSyncResourceVersion, Delay(failures));
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failures++;
                InformerLog.ListFailed(_logger, e, _client.Kind.Plural, Delay(failures));
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
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

    private Task DelayAsync(int failures, CancellationToken cancellationToken) =>
        Task.Delay(Delay(failures), cancellationToken);

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
