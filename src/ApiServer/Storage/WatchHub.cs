using System.Collections.Concurrent;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.ApiServer.Storage;

/// <summary>Owns one <see cref="WatchFeed"/> per kind, started on the first watch of that kind.</summary>
public sealed class WatchHub(ObjectStore store, IOptions<StoreOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    private const int MaxCapacity = 4096;
    private readonly ConcurrentDictionary<ResourceKind, Lazy<Task<WatchFeed>>> _feeds = new();

    public Task<WatchFeed> FeedAsync(ResourceKind kind) =>
        _feeds.GetOrAdd(kind, k => new Lazy<Task<WatchFeed>>(() => StartAsync(k))).Value;

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
        await feed.StartAsync();
        return feed;
    }
}
