using System.Collections.Concurrent;
using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// Every object of one kind, as the api-server's own watch feed last showed it (the informer kube-apiserver's RBAC
/// and Node authorizers read): listed at start, then kept current from the feed, and told at once of the writes this
/// api-server stores so that a new binding or role takes effect for the very next request. After missed events it
/// lists again.
/// </summary>
public sealed partial class ObjectCache(ResourceKind kind, ObjectStore store, WatchHub hub, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan FeedWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _writeLock = new();
    private long _version;

    public ResourceKind Kind => kind;

    public bool Synced => _synced.Task.IsCompleted;

    /// <summary>Grows with every change, so that what is derived from the objects knows when to derive again.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IEnumerable<IMessage> Items => _entries.Values.Where(e => e.Object is not null).Select(e => e.Object!);

    public IMessage? Get(string ns, string name) =>
        _entries.TryGetValue(StoreKeys.Field(kind.Namespaced ? ns : "", name), out var e) ? e.Object : null;

    /// <summary>A write this api-server stored (<paramref name="written"/> null: removed), at the revision of that write.</summary>
    public void Observe(ObjectKey key, long revision, IMessage? written) => Apply(key.Field, revision, written);

    /// <summary>Completes once the first list is loaded.</summary>
    public Task WhenSynced => _synced.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var feed = await hub.FeedAsync(kind);
                var cursor = feed.Last;
                var (items, _) = await store.ListAsync(kind, null);
                var listed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in items)
                {
                    listed.Add(item.Field);
                    Apply(item.Field, item.Revision, ObjectCodec.Decode(kind, item));
                }

                foreach (var (field, entry) in _entries)
                {
                    if (!listed.Contains(field) && entry.Object is not null)
                    {
                        Apply(field, cursor, null);
                    }
                }

                _synced.TrySetResult();
                while (true)
                {
                    var (events, next) = await feed.NextAsync(cursor, FeedWait, stoppingToken);
                    foreach (var e in events)
                    {
                        var meta = kind.Metadata(e.Object);
                        var field = StoreKeys.Field(kind.Namespaced ? meta.Namespace : "", meta.Name);
                        Apply(field, e.Revision, e.Type == StoreEvent.Deleted ? null : e.Object);
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
                LogFeedFailed(logger, kind.Plural, ex);
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void Apply(string field, long revision, IMessage? obj)
    {
        lock (_writeLock)
        {
            if (_entries.TryGetValue(field, out var held) && held.Revision >= revision)
            {
                return;
            }

            _entries[field] = new Entry(revision, obj);
            Interlocked.Increment(ref _version);
        }
    }

    private sealed record Entry(long Revision, IMessage? Object);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the {Plural} watch feed; listing again")]
    private static partial void LogFeedFailed(ILogger logger, string plural, Exception exception);
}
