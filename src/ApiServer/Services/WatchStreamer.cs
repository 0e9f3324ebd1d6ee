using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Metrics;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// Serves one Watch call: the current state as ADDED events when no resourceVersion is given, then every
/// later change in revision order, with selector transitions turned into ADDED/DELETED as Kubernetes does. Each change
/// carries the traceparent its write stored with it, so the watcher's work joins the write's trace.
/// </summary>
public sealed class WatchStreamer(ResourceRegistry registry, WatchHub hub, ApiServerMetrics? metrics = null)
{
    public const string TraceParentField = "traceparent";

    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(5);

    /// <summary>Events a watcher may have waiting before it counts as fallen behind and is closed (its client resumes).</summary>
    private const int BufferSize = 10_000;

    public async Task StreamAsync(ResourceKind kind, WatchRequest request, Func<IMessage, Task> write, CancellationToken ct)
    {
        using var watch = metrics?.Watch(kind);
        await StreamEventsAsync(kind, request, watch is null ? write : async m =>
        {
            await write(m);
            watch.Sent();
        }, ct);
    }

    private async Task StreamEventsAsync(ResourceKind kind, WatchRequest request, Func<IMessage, Task> write, CancellationToken ct)
    {
        var filter = ObjectFilter.From(kind, request);
        var feed = await hub.FeedAsync(kind);
        long cursor;
        if (request.ResourceVersion is "" or "0")
        {
            var (items, revision) = await registry.ListAsync(kind, filter);
            foreach (var item in items)
            {
                await write(NewEvent(kind, StoreEvent.Added, item));
            }

            cursor = revision;
        }
        else
        {
            cursor = ResourceVersions.Parse(request.ResourceVersion);
        }

        var trigger = feed.TriggerField is { } field && filter.Fields.TryGetExactMatch(field, out var value) ? value : null;
        while (!ct.IsCancellationRequested)
        {
            using var watcher = feed.Watch(cursor, trigger, BufferSize);
            if (watcher is null)
            {
                // Behind the watch cache's memory: the store's log has the older events, in chunks.
                IReadOnlyList<WatchCacheEvent> older;
                long next;
                try
                {
                    (older, next) = await feed.ReadOlderAsync(cursor);
                }
                catch (ExpiredException ex)
                {
                    throw ApiErrors.Expired(ex.Message);
                }

                await WriteAsync(kind, filter, older, cursor, write);
                cursor = next;
                continue;
            }

            // Ending the call is how a watcher that fell behind is told to resume from its last resourceVersion.
            await FollowAsync(kind, request, filter, feed, watcher, cursor, write, ct);
            return;
        }
    }

    /// <summary>
    /// Writes the watcher's events after <paramref name="cursor"/> as they come (a list may have read past what the
    /// feed had), and a bookmark after a quiet interval, until the call ends or the feed closes the watcher.
    /// </summary>
    private async Task FollowAsync(
        ResourceKind kind, WatchRequest request, ObjectFilter filter, WatchFeed feed, FeedWatcher watcher, long cursor, Func<IMessage, Task> write, CancellationToken ct)
    {
        var batch = new List<WatchCacheEvent>();
        while (!ct.IsCancellationRequested)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quiet.CancelAfter(BookmarkInterval);
            bool more;
            try
            {
                more = await watcher.Events.WaitToReadAsync(quiet.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (request.AllowWatchBookmarks && feed.BookmarkRevision(watcher) is { } revision)
                {
                    var bookmark = kind.New();
                    kind.Metadata(bookmark).ResourceVersion = Math.Max(cursor, revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    kind.SetTypeMeta(bookmark);
                    await write(NewEvent(kind, StoreEvent.Bookmark, bookmark));
                }

                continue;
            }

            if (!more)
            {
                return;
            }

            batch.Clear();
            while (batch.Count < BufferSize && watcher.Events.TryRead(out var e))
            {
                batch.Add(e);
            }

            cursor = await WriteAsync(kind, filter, batch, cursor, write);
        }
    }

    /// <summary>Writes the events after <paramref name="cursor"/> that the filter lets through; returns the new cursor.</summary>
    private async Task<long> WriteAsync(ResourceKind kind, ObjectFilter filter, IReadOnlyList<WatchCacheEvent> events, long cursor, Func<IMessage, Task> write)
    {
        foreach (var e in events)
        {
            if (e.Revision <= cursor)
            {
                continue;
            }

            cursor = e.Revision;
            if (Translate(kind, filter, e) is { } message)
            {
                await write(message);
            }
        }

        return cursor;
    }

    private static IMessage? Translate(ResourceKind kind, ObjectFilter filter, WatchCacheEvent e)
    {
        var matches = filter.Matches(kind, e.Object);
        var type = e.Previous is null
            ? matches ? e.Type : null
            : (filter.Matches(kind, e.Previous), matches) switch
            {
                (true, true) => StoreEvent.Modified,
                (false, true) => StoreEvent.Added,
                (true, false) => StoreEvent.Deleted,
                _ => null,
            };
        return type is null ? null : e.Shared(type, t => NewEvent(kind, t, e.Object, e.Event.TraceParent));
    }

    private static IMessage NewEvent(ResourceKind kind, string type, IMessage obj, string? traceParent = null)
    {
        var message = kind.WatchEventDescriptor.Parser.ParseFrom(ByteString.Empty);
        kind.WatchEventDescriptor.FindFieldByName("type").Accessor.SetValue(message, type);
        kind.WatchEventDescriptor.FindFieldByName("object").Accessor.SetValue(message, obj);
        if (traceParent is not null && kind.WatchEventDescriptor.FindFieldByName(TraceParentField) is { } field)
        {
            field.Accessor.SetValue(message, traceParent);
        }

        return message;
    }
}
