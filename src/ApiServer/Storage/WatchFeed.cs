using System.Globalization;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The watch cache of one kind (kube-apiserver's Cacher): one reader follows the kind's log in the store,
/// keeps the latest events in memory and wakes every watcher, so N watchers cost one store read per change.
/// Watchers behind the in-memory window read the older part from the store log.
/// </summary>
public sealed partial class WatchFeed(ResourceKind kind, ObjectStore store, int capacity, TimeSpan pollInterval, ILogger logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<StoreEvent> _ring = [];
    private readonly SemaphoreSlim _nudge = new(0);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = NewSignal();
    private long _ringStart;
    private long _last;
    private bool _started;
    private Task? _loop;

    public ResourceKind Kind => kind;

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
            var e = StoreEvent.Parse(bytes[(nl + 1)..]);
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
    public async Task<(IReadOnlyList<StoreEvent> Events, long Next)> NextAsync(long cursor, TimeSpan maxWait, CancellationToken ct)
    {
        Task changed;
        long ringStart;
        lock (_gate)
        {
            ringStart = _ringStart;
            if (cursor >= _ringStart)
            {
                if (TakeLocked(cursor) is { } batch)
                {
                    return batch;
                }

                changed = _changed.Task;
            }
            else
            {
                changed = Task.CompletedTask;
            }
        }

        if (cursor < ringStart)
        {
            const int take = 1000;
            var older = await store.ReadLogAsync(kind, cursor, ringStart, take);
            return older.Count == take ? (older, older[^1].Revision) : (older, ringStart);
        }

        await Task.WhenAny(changed, Task.Delay(maxWait, ct));
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Read under the same lock as the ring: what arrived while waiting is returned, never skipped by the cursor.
            return cursor >= _ringStart ? TakeLocked(cursor) ?? ([], Math.Max(cursor, _last)) : ([], cursor);
        }
    }

    private (IReadOnlyList<StoreEvent> Events, long Next)? TakeLocked(long cursor)
    {
        var index = _ring.FindIndex(e => e.Revision > cursor);
        if (index < 0)
        {
            return null;
        }

        var batch = _ring.GetRange(index, _ring.Count - index);
        return (batch, batch[^1].Revision);
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
            IReadOnlyList<StoreEvent> events;
            try
            {
                events = await store.ReadLogAsync(kind, Last);
            }
            catch (ExpiredException)
            {
                // Writes outran this reader past the log's window; restart the window at the present.
                // Watchers behind it read the store log and are told to re-list, as they must.
                var current = await store.CurrentRevisionAsync();
                Reset(current);
                continue;
            }

            if (events.Count == 0)
            {
                return;
            }

            Append(events);
        }
    }

    private void Reset(long revision)
    {
        lock (_gate)
        {
            _ring.Clear();
            _ringStart = _last = revision;
            Signal();
        }
    }

    private void Append(IReadOnlyList<StoreEvent> events)
    {
        lock (_gate)
        {
            AppendLocked(events);
        }
    }

    /// <summary>Appends the events newer than the feed's last; a published entry may have arrived during a log read.</summary>
    private void AppendLocked(IReadOnlyList<StoreEvent> events)
    {
        var added = false;
        foreach (var e in events)
        {
            if (e.Revision > _last)
            {
                _ring.Add(e);
                _last = e.Revision;
                added = true;
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
