using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// The loop every Kubernetes controller runs: wait for the informer caches, then let N workers take keys from a
/// rate-limited work queue and reconcile them. A failed key comes back with per-key exponential backoff; a
/// successful one is forgotten. Event handlers only enqueue keys, so all work happens here, one key at a time.
/// </summary>
public abstract class Controller<TKey> : BackgroundService
    where TKey : notnull
{
    private readonly int _workers;

    protected Controller(ControllerContext context, string name, int defaultWorkers)
    {
        Context = context;
        Name = name;
        Queue = new WorkQueue<TKey>(timeProvider: context.Time);
        Logger = context.LoggerFactory.CreateLogger(GetType());
        Recorder = context.NewRecorder(name.ToLowerInvariant() + "-controller");
        _workers = context.WorkersFor(name, defaultWorkers);
    }

    public string Name { get; }

    protected ControllerContext Context { get; }

    protected ILogger Logger { get; }

    protected EventRecorder Recorder { get; }

    // The queue's delays (AddAfter, backoff) follow the controller's clock, so a test's fake clock drives them too.
    protected WorkQueue<TKey> Queue { get; }

    protected DateTimeOffset Now => Context.Time.GetUtcNow();

    /// <summary>Reconciles one key; throwing requeues it with backoff.</summary>
    protected abstract Task SyncAsync(TKey key, CancellationToken cancellationToken);

    /// <summary>Work besides the workers that runs once the caches have synced (periodic monitors).</summary>
    protected virtual Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkerAsync(stoppingToken), CancellationToken.None));
        await Task.WhenAll(workers.Append(RunAsync(stoppingToken))).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        Queue.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task WorkerAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TKey key;
            try
            {
                (key, var shutDown) = await Queue.GetAsync(stoppingToken).ConfigureAwait(false);
                if (shutDown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SyncAsync(key, stoppingToken).ConfigureAwait(false);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ControllerLog.SyncFailed(Logger, e, Name, key.ToString() ?? "", Queue.NumRequeues(key));
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }
}
