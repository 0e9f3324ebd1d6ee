using System.Threading.Channels;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// One watch registered with a <see cref="WatchFeed"/> (kube-apiserver's cacheWatcher): the feed pushes it the events
/// it may want, into a buffer of its own; a watcher whose buffer is full is closed, and its client resumes from the
/// last resourceVersion it got, instead of every other watcher waiting for it.
/// </summary>
public sealed class FeedWatcher : IDisposable
{
    private readonly WatchFeed _feed;
    private readonly Channel<WatchCacheEvent> _events;

    internal FeedWatcher(WatchFeed feed, string? trigger, int capacity)
    {
        _feed = feed;
        Trigger = trigger;
        _events = Channel.CreateBounded<WatchCacheEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The trigger field's value this watcher selects; null for every event of the kind.</summary>
    public string? Trigger { get; }

    public ChannelReader<WatchCacheEvent> Events => _events.Reader;

    /// <summary>Why the feed stopped handing this watcher events; null while it still does.</summary>
    public string? ClosedBecause { get; private set; }

    public void Dispose() => _feed.Unregister(this);

    internal bool TryAdd(WatchCacheEvent e) => _events.Writer.TryWrite(e);

    internal void Close(string reason)
    {
        ClosedBecause ??= reason;
        _events.Writer.TryComplete();
    }
}
