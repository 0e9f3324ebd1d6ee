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

    public async Task<WatchFeed> FeedAsync(ResourceKind kind)
    {
        var feed = _feeds.GetOrAdd(kind, k => new Lazy<Task<WatchFeed>>(() => StartAsync(k)));
        try
        {
            return await feed.Value;
        }
        catch
        {
            _feeds.TryRemove(KeyValuePair.Create(kind, feed));
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var feed in _feeds.Values.Where(f => f.IsValueCreated))
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
            // Drop the subscription, if it was made; the store may still not answer, which the caller hears anyway.
            await feed.DisposeAsync().AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
            throw;
        }

        return feed;
    }
}
