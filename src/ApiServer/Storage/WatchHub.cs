using System.Collections.Concurrent;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// Owns one <see cref="WatchFeed"/> per kind, started on the first watch of that kind. A start that fails (the store
/// not answering in time) is forgotten, so the next watch starts the feed again instead of failing forever.
/// </summary>
public sealed class WatchHub(ObjectStore store, IOptions<StoreOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    private const int MaxCapacity = 4096;
    private readonly ConcurrentDictionary<ResourceKind, Lazy<Task<WatchFeed>>> _feeds = new();

    /// <summary>
    /// The kind's feed. A feed that could not start (the store was away) is forgotten, so the next watch starts it
    /// again rather than every later watch of the kind failing with that first error.
    /// </summary>
    public async Task<WatchFeed> FeedAsync(ResourceKind kind)
    {
        var feed = _feeds.GetOrAdd(kind, k => new Lazy<Task<WatchFeed>>(() => StartAsync(k)));
        try
        {
            return await feed.Value;
        }
        catch
        {
            _feeds.TryRemove(new KeyValuePair<ResourceKind, Lazy<Task<WatchFeed>>>(kind, feed));
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var feed in _feeds.Values.Where(f => f.IsValueCreated && f.Value.IsCompletedSuccessfully))
        {
            await (await feed.Value).DisposeAsync();
        }
    }

    private async Task<WatchFeed> StartAsync(ResourceKind kind)
    {
        // The cache never reaches further back than the store log: a resourceVersion the store calls expired
        // must be expired for every watcher, not only for those that happen to miss the cache.
        var capacity = Math.Clamp(options.Value.HistoryLimit, 1, MaxCapacity);
        var feed = new WatchFeed(kind, store, capacity, options.Value.PollInterval, loggers.CreateLogger<WatchFeed>());
        try
        {
            await feed.StartAsync();
        }
        catch
        {
            // Its subscription is dropped too; with the store away that may fail as well, which the first error says.
            await feed.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }

        return feed;
    }
}
