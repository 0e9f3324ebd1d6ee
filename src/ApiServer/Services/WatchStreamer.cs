using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// Serves one Watch call: the current state as ADDED events when no resourceVersion is given, then every
/// later change in revision order, with selector transitions turned into ADDED/DELETED as Kubernetes does.
/// </summary>
public sealed class WatchStreamer(ResourceRegistry registry, WatchHub hub)
{
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(5);

    public async Task StreamAsync(ResourceKind kind, WatchRequest request, Func<IMessage, Task> write, CancellationToken ct)
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

        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<StoreEvent> events;
            long next;
            try
            {
                (events, next) = await feed.NextAsync(cursor, BookmarkInterval, ct);
            }
            catch (ExpiredException ex)
            {
                throw ApiErrors.Expired(ex.Message);
            }

            foreach (var e in events)
            {
                if (Translate(kind, filter, e) is { } message)
                {
                    await write(message);
                }
            }

            if (events.Count == 0 && request.AllowWatchBookmarks)
            {
                var bookmark = kind.New();
                kind.Metadata(bookmark).ResourceVersion = Math.Max(cursor, feed.Last).ToString(System.Globalization.CultureInfo.InvariantCulture);
                kind.SetTypeMeta(bookmark);
                await write(NewEvent(kind, StoreEvent.Bookmark, bookmark));
            }

            cursor = next;
        }
    }

    private static IMessage? Translate(ResourceKind kind, ObjectFilter filter, StoreEvent e)
    {
        var obj = ObjectCodec.Decode(kind, e.Object, e.Revision);
        var matches = filter.Matches(kind, obj);
        if (e.Previous is null)
        {
            return matches ? NewEvent(kind, e.Type, obj) : null;
        }

        var matched = filter.Matches(kind, ObjectCodec.Decode(kind, e.Previous.Value, e.Revision));
        return (matched, matches) switch
        {
            (true, true) => NewEvent(kind, StoreEvent.Modified, obj),
            (false, true) => NewEvent(kind, StoreEvent.Added, obj),
            (true, false) => NewEvent(kind, StoreEvent.Deleted, obj),
            _ => null,
        };
    }

    private static IMessage NewEvent(ResourceKind kind, string type, IMessage obj)
    {
        var message = kind.WatchEventDescriptor.Parser.ParseFrom(ByteString.Empty);
        kind.WatchEventDescriptor.FindFieldByName("type").Accessor.SetValue(message, type);
        kind.WatchEventDescriptor.FindFieldByName("object").Accessor.SetValue(message, obj);
        return message;
    }
}
