using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Client;

/// <summary>
/// Hands out one informer per kind and options (client-go's SharedInformerFactory), so controllers in one process
/// share a single list and watch per kind. Informers asked for before <see cref="Start"/> start with it; ones asked
/// for later start on the next <see cref="Start"/>. Handlers added without a resync period get
/// <paramref name="defaultResync"/> (client-go's defaultResync; zero for none).
/// </summary>
public sealed class SharedInformerFactory(
    KubeMeshClient client, ILoggerFactory? loggerFactory = null, TimeSpan defaultResync = default, TimeProvider? time = null) : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly ConcurrentDictionary<(Type, InformerOptions), Entry> _informers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();

    /// <exception cref="FormatException">The options' selectors are invalid for the kind.</exception>
    public Informer<T> GetInformer<T>(InformerOptions? options = null)
        where T : class, IMessage<T>, new()
    {
        options ??= InformerOptions.Default;
        var entry = _informers.GetOrAdd((typeof(T), options), key =>
        {
            var informer = new Informer<T>(
                client.For<T>(), key.Item2, _loggerFactory.CreateLogger(typeof(Informer<T>)), defaultResync, time);
            return new Entry(informer, informer.RunAsync, informer.WaitForHandlersSyncAsync, informer.CatchUpAsync);
        });
        return (Informer<T>)entry.Informer;
    }

    public Lister<T> GetLister<T>(InformerOptions? options = null)
        where T : class, IMessage<T>, new() => GetInformer<T>(options).Lister;

    /// <summary>Starts every informer not yet running; they run until the factory is disposed.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            foreach (var entry in _informers.Values.Where(e => e.Running is null))
            {
                entry.Running = Task.Run(() => entry.Run(_stopping.Token));
            }
        }
    }

    public TimeSpan DefaultResync => defaultResync;

    /// <summary>
    /// Waits until every informer handed out so far has synced its first list and every handler added to them has
    /// been given it. A component that reads only some kinds waits on those alone (<see cref="CacheSync"/>).
    /// </summary>
    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_informers.Values.Select(e => e.WaitForSync(cancellationToken)));

    /// <summary>
    /// Brings every informer handed out so far up to the store as it is now (<see cref="Informer{T}.CatchUpAsync"/>):
    /// what a process that has just won its leader election waits for before acting on the caches it kept warm.
    /// </summary>
    public Task CatchUpAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_informers.Values.Select(e => e.CatchUp(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            running = [.. _informers.Values.Select(e => e.Running).OfType<Task>()];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Entry(
        object informer, Func<CancellationToken, Task> run, Func<CancellationToken, Task> waitForSync, Func<CancellationToken, Task> catchUp)
    {
        public object Informer { get; } = informer;

        public Func<CancellationToken, Task> Run { get; } = run;

        public Func<CancellationToken, Task> WaitForSync { get; } = waitForSync;

        public Func<CancellationToken, Task> CatchUp { get; } = catchUp;

        public Task? Running { get; set; }
    }
}
