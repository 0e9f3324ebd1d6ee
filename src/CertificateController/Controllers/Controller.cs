using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers;

/// <summary>
/// client-go's processNextWorkItem loop, as cert-manager's controllers run it: once the caches have synced, N
/// workers take keys from a rate-limited queue; a failed key comes back with per-key backoff, a successful one is
/// forgotten. A sync may also ask to be looked at again later (renewal times, ACME polling) with AddAfter.
/// </summary>
public abstract class Controller : BackgroundService
{
    private readonly int _workers;

    protected Controller(ControllerContext context, string name, int defaultWorkers)
    {
        Context = context;
        Name = name;
        Queue = new WorkQueue<string>(timeProvider: context.Time);
        Logger = context.LoggerFactory.CreateLogger(GetType());
        Recorder = context.NewRecorder("cert-manager-" + name);
        _workers = context.WorkersFor(name, defaultWorkers);
    }

    public string Name { get; }

    protected ControllerContext Context { get; }

    protected ILogger Logger { get; }

    protected EventRecorder Recorder { get; }

    protected WorkQueue<string> Queue { get; }

    protected DateTimeOffset Now => Context.Time.GetUtcNow();

    /// <summary>Reconciles one key; throwing requeues it with backoff.</summary>
    protected abstract Task SyncAsync(string key, CancellationToken cancellationToken);

    protected void Enqueue(Api.Meta.V1.ObjectMeta? metadata)
    {
        if (metadata is not null)
        {
            Queue.Add(MetaNamespaceKey.For(metadata));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Context.Informers.Start();
        try
        {
            await Context.Informers.WaitForCacheSyncAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        ControllerLog.Started(Logger, Name, _workers);
        using var shutDown = stoppingToken.Register(Queue.ShutDown);
        await Task.WhenAll(Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkerAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
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
        (key, e) => ControllerLog.SyncFailed(Logger, e, Name, key, Queue.NumRequeues(key)),
        synced: null,
        stoppingToken);
}
