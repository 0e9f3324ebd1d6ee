using Google.Protobuf;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// The loop every Kubernetes controller runs: wait for the caches it reads (and only those), then let N workers
/// take keys from a rate-limited work queue and reconcile them. A failed key comes back after the longer of its
/// own exponential back-off and the queue's overall token bucket; a successful one is forgotten. Event handlers
/// only enqueue keys, so all work happens here, one key at a time. The queue publishes client-go's workqueue
/// metrics under the controller's name in lower case. Each sync is a span, "sync deployment default/web", in the trace
/// of the change that queued its key (and linked to the other changes it serves); see <see cref="WorkTracing"/>.
/// </summary>
public abstract class Controller<TKey> : BackgroundService
    where TKey : notnull
{
    private readonly int _workers;
    private readonly List<ICacheSync> _caches = [];
    private readonly List<string> _informers = [];
    private readonly List<Func<CancellationToken, Task>> _catchUps = [];
    private readonly TaskCompletionSource _cachesSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _spanPrefix;

    protected Controller(ControllerContext context, string name, int defaultWorkers)
    {
        Context = context;
        Name = name;
        Queue = new WorkQueue<TKey>(RateLimiters.DefaultController<TKey>(context.Time), context.Time, name.ToLowerInvariant());
        Logger = context.LoggerFactory.CreateLogger(GetType());
        Recorder = context.NewRecorder(name.ToLowerInvariant() + "-controller");
        _workers = context.WorkersFor(name, defaultWorkers);
        _spanPrefix = "sync " + name.ToLowerInvariant() + " ";
    }

    /// <summary>Raised after every sync of a key, failed or not: what tests wait on to know a change was seen.</summary>
    public event Action<SyncResult<TKey>>? Synced;

    public string Name { get; }

    /// <summary>True once every cache this controller reads has synced and its workers run.</summary>
    public bool HasSynced => _cachesSynced.Task.IsCompleted;

    /// <summary>The informers this controller reads, by name ("pods", "leases (namespace kube-node-lease)"): its workers wait for these alone.</summary>
    public IReadOnlyList<string> Informers => _informers;

    protected ControllerContext Context { get; }

    protected ILogger Logger { get; }

    protected EventRecorder Recorder { get; }

    // The queue's delays (AddAfter, backoff) follow the controller's clock, so a test's fake clock drives them too.
    protected WorkQueue<TKey> Queue { get; }

    protected DateTimeOffset Now => Context.Time.GetUtcNow();

    /// <summary>Reconciles one key; throwing requeues it with backoff. Unit tests call it directly over filled caches.</summary>
    protected internal abstract Task SyncAsync(TKey key, CancellationToken cancellationToken);

    /// <summary>The shared informer of a kind this controller reads; its workers wait for the informer's first list.</summary>
    protected Informer<T> InformerFor<T>(InformerOptions? options = null)
        where T : class, IMessage<T>, new()
    {
        var informer = Context.Informers.GetInformer<T>(options);
        if (!_informers.Contains(informer.Name))
        {
            _informers.Add(informer.Name);
            _caches.Add(informer);
            _catchUps.Add(informer.CatchUpAsync);
        }

        return informer;
    }

    /// <summary>Adds this controller's handlers to one of its informers; its workers wait until they have been given the first list.</summary>
    protected void AddEventHandler<T>(Informer<T> informer, Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null)
        where T : class, IMessage<T>, new() =>
        _caches.Add(informer.AddEventHandler(onAdd, onUpdate, onDelete));

    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken) => _cachesSynced.Task.WaitAsync(cancellationToken);

    /// <summary>Work besides the workers that runs once the caches have synced (periodic monitors).</summary>
    protected virtual Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Context.Informers.Start();
        try
        {
            await CacheSync.WaitForNamedCacheSyncAsync(Name, _caches, Logger, stoppingToken).ConfigureAwait(false);

            // Every replica keeps its caches warm; only the lease holder's workers run, once its caches have caught up.
            if (Context.Leadership is { } leadership)
            {
                await leadership.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
                await CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        ControllerLog.Started(Logger, Name, _workers);
        _cachesSynced.TrySetResult();
        using var shutDown = stoppingToken.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkerAsync(stoppingToken), CancellationToken.None));
        await Task.WhenAll(workers.Append(RunAsync(stoppingToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings the caches a standby kept warm up to the store as it is now that this process leads. They may lag: a
    /// watch behind, or retrying after its api-server went away. The leader before this one wrote until its renew
    /// deadline, which ended before this process could take the lease, so a list read now holds all it wrote; a sync
    /// on a cache without, say, the pod a ReplicaSet just created would create it again. kube-controller-manager
    /// starts its informers only once it leads, with fresh lists, for the same reason; here each informer this
    /// controller reads lists afresh (<see cref="Informer{T}.CatchUpAsync"/>).
    /// </summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.WhenAll(_catchUps.Select(c => c(cancellationToken))).ConfigureAwait(false);
        ControllerLog.CaughtUp(Logger, Name, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    public override void Dispose()
    {
        Queue.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task WorkerAsync(CancellationToken stoppingToken) => WorkQueueWorker.RunAsync(
        Queue,
        SyncAsync,
        (key, e) => ControllerLog.SyncFailed(Logger, e, Name, key.ToString() ?? "", Queue.NumRequeues(key)),
        (key, started, error) => Synced?.Invoke(new SyncResult<TKey>(key, started, error)),
        stoppingToken,
        (ControllerTracing.Source, _spanPrefix));
}
