using System.Collections.Concurrent;
using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// The namespaces as the namespace watch feed last showed them (kube-apiserver's NamespaceLifecycle admission
/// reads an informer the same way), so a create in a namespace costs no store read. A name the cache does not
/// hold is read from the store. Namespace writes made through this api-server land here at once, so a delete
/// or a termination is never answered from an older state; events the feed delivers later are applied only
/// when they are newer than what is held.
/// </summary>
public sealed partial class NamespaceCache(ObjectStore store, WatchHub hub, ILogger<NamespaceCache> logger) : BackgroundService
{
    private static readonly ResourceKind Kind = ResourceKinds.Namespace;
    private static readonly TimeSpan FeedWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private volatile bool _following;

    /// <summary>The namespace's metadata, or null when there is no such namespace.</summary>
    public async ValueTask<ObjectMeta?> GetAsync(string name)
    {
        if (_entries.TryGetValue(name, out var entry) && entry.Meta is not null)
        {
            return entry.Meta;
        }

        // Only a read made while the feed is followed may be kept: every later change then reaches the cache.
        var keep = _following;
        var stored = await store.GetAsync(Kind, name);
        if (stored is null)
        {
            return null;
        }

        var meta = Kind.Metadata(ObjectCodec.Decode(Kind, stored.Value));
        if (keep)
        {
            Apply(name, stored.Value.Revision, meta);
        }

        return meta;
    }

    /// <summary>A namespace this api-server wrote (null: deleted), at the revision of that write.</summary>
    public void Observe(ResourceKind kind, string name, long revision, IMessage? written)
    {
        if (kind == Kind && _following)
        {
            Apply(name, revision, written is null ? null : Kind.Metadata(written));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var feed = await hub.FeedAsync(Kind);
                var cursor = feed.Last;
                _following = true;
                while (true)
                {
                    var (events, next) = await feed.NextAsync(cursor, FeedWait, stoppingToken);
                    foreach (var e in events)
                    {
                        var meta = Kind.Metadata(e.Object);
                        Apply(meta.Name, e.Revision, e.Type == StoreEvent.Deleted ? null : meta);
                    }

                    cursor = next;
                    delay = TimeSpan.FromMilliseconds(200);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Missed events (an expired cursor, a store outage): forget everything and read on demand again.
                LogFeedFailed(logger, ex);
                _following = false;
                _entries.Clear();
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void Apply(string name, long revision, ObjectMeta? meta)
    {
        var entry = new Entry(revision, meta);
        _entries.AddOrUpdate(name, entry, (_, held) => held.Revision >= revision ? held : entry);
    }

    /// <summary>Meta null: deleted at Revision (kept so an older event cannot bring it back).</summary>
    private sealed record Entry(long Revision, ObjectMeta? Meta);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the namespace watch feed failed; reading namespaces from the store until it recovers")]
    private static partial void LogFeedFailed(ILogger logger, Exception ex);
}
