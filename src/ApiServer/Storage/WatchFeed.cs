using System.Globalization;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The watch cache of one kind (kube-apiserver's Cacher): one reader follows the kind's log in the store and keeps
/// the latest events in memory, each decoded once, so N watchers cost one store read and one decode per change.
/// Each registered <see cref="FeedWatcher"/> is pushed only the events it may want: every event, or for a kind with a
/// trigger field (pods: spec.nodeName) only those whose object had or has the value its field selector asks for, so a
/// thousand kubelets each watching their own pods cost one dictionary look-up per event, not a thousand filters.
/// Watchers behind the in-memory window read the older part from the store log.
/// </summary>
public sealed partial class WatchFeed(ResourceKind kind, ObjectStore store, int capacity, TimeSpan pollInterval, ILogger logger) : IAsyncDisposable
{
    private const int LogReadBatch = 1000;

    private readonly Lock _gate = new();
    private readonly List<WatchCacheEvent> _ring = [];
    private readonly HashSet<FeedWatcher> _everything = [];
    private readonly Dictionary<string, HashSet<FeedWatcher>> _byTrigger = new(StringComparer.Ordinal);
    private readonly string? _triggerField = WatchTriggers.FieldOf(kind);
    private readonly SemaphoreSlim _nudge = new(0);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = NewSignal();
    private long _ringStart;
    private long _last;
    private bool _started;
    private Task? _loop;

    public ResourceKind Kind => kind;

    /// <summary>The field whose value picks a watcher's events (spec.nodeName for pods), or null.</summary>
    public string? TriggerField => _triggerField;

    /// <summary>The newest revision this feed has read: every event of the kind up to it is known.</summary>
    public long Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    public async Task StartAsync()
    {
        await store.Subscriber.SubscribeAsync(store.Keys.Events(kind), (_, message) => OnPublished(message));
        var current = await store.CurrentRevisionAsync();
        lock (_gate)
        {
            _ringStart = _last = current;
            _started = true;
        }

        _loop = Task.Run(() => FollowAsync(_stop.Token));
    }

    /// <summary>
    /// A write's published log entry. When the feed already has the kind's event before it, the entry is the next
    /// one and is appended as it is; otherwise (a gap, a message from before the start) the log is read instead.
    /// Delivery order does not matter: an entry the feed already has is dropped, a gap always means a log read.
    /// </summary>
    private void OnPublished(RedisValue message)
    {
        ReadOnlyMemory<byte> bytes = (byte[]?)message ?? [];
        var nl = bytes.Span.IndexOf((byte)'\n');
        if (nl > 0 && long.TryParse(bytes.Span[..nl], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kindPrevious))
        {
            var e = new WatchCacheEvent(kind, store.FromStorage(kind, StoreEvent.Parse(bytes[(nl + 1)..])), _triggerField);
            lock (_gate)
            {
                if (_started && kindPrevious <= _last)
                {
                    AppendLocked([e]);
                    return;
                }
            }
        }

        Nudge();
    }

    public void Nudge()
    {
        if (_nudge.CurrentCount == 0)
        {
            _nudge.Release();
        }
    }

    /// <summary>
    /// The events after <paramref name="cursor"/>, waiting up to <paramref name="maxWait"/> for one. Returns the
    /// cursor to continue from: every event of the kind up to it has been returned, so an empty batch's cursor is a
    /// resourceVersion a bookmark may carry and a watch may resume from without missing anything.
    /// </summary>
    public async Task<(IReadOnlyList<WatchCacheEvent> Events, long Next)> NextAsync(long cursor, TimeSpan maxWait, CancellationToken ct)
    {
        Task? changed = null;
        lock (_gate)
        {
            if (cursor >= _ringStart)
            {
                if (TakeLocked(cursor) is { } batch)
                {
                    return batch;
                }

                changed = _changed.Task;
            }
        }

        if (changed is null)
        {
            return await ReadOlderAsync(cursor);
        }

        await Task.WhenAny(changed, Task.Delay(maxWait, ct));
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Read under the same lock as the ring: what arrived while waiting is returned, never skipped by the cursor.
            return cursor >= _ringStart ? TakeLocked(cursor) ?? ([], Math.Max(cursor, _last)) : ([], cursor);
        }
    }

    private (IReadOnlyList<WatchCacheEvent> Events, long Next)? TakeLocked(long cursor)
    {
        var index = FirstAfterLocked(cursor);
        if (index >= _ring.Count)
        {
            return null;
        }

        var batch = _ring.GetRange(index, _ring.Count - index);
        return (batch, batch[^1].Revision);
    }

    /// <summary>
    /// Registers a watcher for the events after <paramref name="cursor"/> that match <paramref name="trigger"/> (the
    /// trigger field's value its selector requires; null for all), handed the ones already in memory at once. Null when
    /// the cursor is older than the memory window: read <see cref="ReadOlderAsync"/> first.
    /// </summary>
    public FeedWatcher? Watch(long cursor, string? trigger, int bufferSize)
    {
        trigger = _triggerField is null ? null : trigger;
        lock (_gate)
        {
            if (!_started || cursor < _ringStart)
            {
                return null;
            }

            var backlog = _ring.Skip(FirstAfterLocked(cursor)).Where(e => trigger is null || e.Trigger == trigger || e.PreviousTrigger == trigger).ToList();
            var watcher = new FeedWatcher(this, trigger, backlog.Count + bufferSize);
            foreach (var e in backlog)
            {
                watcher.TryAdd(e);
            }

            if (trigger is null)
            {
                _everything.Add(watcher);
            }
            else if (_byTrigger.TryGetValue(trigger, out var set))
            {
                set.Add(watcher);
            }
            else
            {
                _byTrigger[trigger] = [watcher];
            }

            return watcher;
        }
    }

    /// <summary>Events after <paramref name="cursor"/> from the store's log, up to the start of the memory window.</summary>
    /// <exception cref="ExpiredException">The log no longer reaches back to the cursor.</exception>
    public async Task<(IReadOnlyList<WatchCacheEvent> Events, long Next)> ReadOlderAsync(long cursor)
    {
        const int take = 1000;
        long ringStart;
        lock (_gate)
        {
            ringStart = _ringStart;
        }

        var older = await store.ReadLogAsync(kind, cursor, ringStart, take);
        var events = older.Select(e => new WatchCacheEvent(kind, e, _triggerField)).ToList();
        return events.Count == take ? (events, events[^1].Revision) : (events, Math.Max(cursor, ringStart));
    }

    /// <summary>A revision the watcher may be told it has seen everything up to (a bookmark), or null while events wait in its buffer.</summary>
    public long? BookmarkRevision(FeedWatcher watcher)
    {
        lock (_gate)
        {
            return watcher.Events.Count == 0 && watcher.ClosedBecause is null ? _last : null;
        }
    }

    internal void Unregister(FeedWatcher watcher)
    {
        lock (_gate)
        {
            RemoveLocked(watcher);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await store.Subscriber.UnsubscribeAsync(store.Keys.Events(kind));
        _stop.Dispose();
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _nudge.WaitAsync(pollInterval, ct);
                await CatchUpAsync();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogReadFailed(logger, kind.Plural, ex);
                await Task.Delay(pollInterval, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task CatchUpAsync()
    {
        while (true)
        {
            IReadOnlyList<WatchCacheEvent> events;
            long revision;
            try
            {
                var (entries, read) = await store.ReadLogAtAsync(kind, Last, take: LogReadBatch);
                events = [.. entries.Select(e => new WatchCacheEvent(kind, e, _triggerField))];
                revision = entries.Count < LogReadBatch ? read : 0;
            }
            catch (ExpiredException)
            {
                // Writes outran this reader past the log's window; restart the window at the present.
                // Watchers behind it read the store log and are told to re-list, as they must.
                var current = await store.CurrentRevisionAsync();
                Reset(current);
                continue;
            }

            Append(events, revision);
            if (revision > 0)
            {
                return;
            }
        }
    }

    private void Reset(long revision)
    {
        lock (_gate)
        {
            _ring.Clear();
            _ringStart = _last = revision;
            foreach (var watcher in _everything.Concat(_byTrigger.Values.SelectMany(w => w)).ToList())
            {
                watcher.Close("the watch cache fell behind the store and started over");
                RemoveLocked(watcher);
            }

            Signal();
        }
    }

    /// <param name="knownTo">
    /// When not 0, the store's revision up to which <paramref name="events"/> hold every event of the kind: the feed's
    /// last moves up to it, so its watchers' bookmarks follow the store as etcd's progress notifications make
    /// kube-apiserver's do, not just the kind's own last write. A watcher waiting to have seen everything up to a
    /// list's resourceVersion (the store's, which other kinds' writes move) then gets there without another write
    /// of its kind.
    /// </param>
    private void Append(IReadOnlyList<WatchCacheEvent> events, long knownTo)
    {
        lock (_gate)
        {
            AppendLocked(events);
            if (knownTo > _last)
            {
                _last = knownTo;
            }
        }
    }

    /// <summary>Appends the events newer than the feed's last; a published entry may have arrived during a log read.</summary>
    private void AppendLocked(IReadOnlyList<WatchCacheEvent> events)
    {
        var added = false;
        foreach (var e in events)
        {
            if (e.Revision > _last)
            {
                _ring.Add(e);
                _last = e.Revision;
                added = true;
                DispatchLocked(e);
            }
        }

        if (!added)
        {
            return;
        }

        if (_ring.Count > capacity)
        {
            var drop = _ring.Count - capacity;
            _ringStart = _ring[drop - 1].Revision;
            _ring.RemoveRange(0, drop);
        }

        Signal();
    }

    /// <summary>Hands the event to every watcher of the kind and to those selecting its trigger value, before or after.</summary>
    private void DispatchLocked(WatchCacheEvent e)
    {
        List<FeedWatcher>? behind = null;
        foreach (var watcher in _everything)
        {
            Deliver(watcher, e, ref behind);
        }

        if (e.Trigger is not null && _byTrigger.TryGetValue(e.Trigger, out var selected))
        {
            foreach (var watcher in selected)
            {
                Deliver(watcher, e, ref behind);
            }
        }

        if (e.PreviousTrigger is not null && e.PreviousTrigger != e.Trigger && _byTrigger.TryGetValue(e.PreviousTrigger, out var before))
        {
            foreach (var watcher in before)
            {
                Deliver(watcher, e, ref behind);
            }
        }

        foreach (var watcher in behind ?? [])
        {
            watcher.Close("the watcher fell behind: its buffer of events is full");
            RemoveLocked(watcher);
        }
    }

    private static void Deliver(FeedWatcher watcher, WatchCacheEvent e, ref List<FeedWatcher>? behind)
    {
        if (!watcher.TryAdd(e))
        {
            (behind ??= []).Add(watcher);
        }
    }

    private void RemoveLocked(FeedWatcher watcher)
    {
        if (watcher.Trigger is null)
        {
            _everything.Remove(watcher);
        }
        else if (_byTrigger.TryGetValue(watcher.Trigger, out var set) && set.Remove(watcher) && set.Count == 0)
        {
            _byTrigger.Remove(watcher.Trigger);
        }
    }

    /// <summary>The index of the first event in memory after <paramref name="cursor"/> (binary search: revisions only grow).</summary>
    private int FirstAfterLocked(long cursor)
    {
        int low = 0, high = _ring.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_ring[mid].Revision <= cursor)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the {Resource} watch log failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, string resource, Exception ex);
}
