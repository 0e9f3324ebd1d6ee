using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

/// <summary>
/// An informer's cache and its handlers (client-go's sharedIndexInformer with its sharedProcessor). Every change to
/// the cache and the queuing of its notification happen under one lock, so each handler sees changes in order, and
/// a handler added late first sees the current objects as adds. Queuing never waits on a handler.
/// </summary>
internal sealed class InformerStore<T>(InformerCache<T> cache, ILogger logger, TimeProvider time)
    where T : class, IMessage<T>, new()
{
    private readonly Lock _lock = new();
    private readonly List<ProcessorListener<T>> _listeners = [];
    private CancellationToken? _running;
    private bool _synced;

    public InformerCache<T> Cache => cache;

    public IReadOnlyList<ProcessorListener<T>> Listeners
    {
        get
        {
            lock (_lock)
            {
                return [.. _listeners];
            }
        }
    }

    public ProcessorListener<T> AddListener(IResourceEventHandler<T> handler, string name, TimeSpan resyncPeriod)
    {
        lock (_lock)
        {
            var listener = new ProcessorListener<T>(handler, name, resyncPeriod, time.GetUtcNow(), cache.KeyOf, logger);
            _listeners.Add(listener);
            foreach (var obj in cache.Values)
            {
                listener.Add(Notification<T>.Added(obj));
            }

            if (_synced)
            {
                listener.Add(Notification<T>.SyncedMarker);
            }

            if (_running is { } running)
            {
                listener.Start(running);
            }

            return listener;
        }
    }

    /// <summary>Starts delivering to every handler, and to those added later, until the token is cancelled.</summary>
    public void StartListeners(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _running = cancellationToken;
            foreach (var listener in _listeners)
            {
                listener.Start(cancellationToken);
            }
        }
    }

    public Task ListenersStopped() => Task.WhenAll(Listeners.Select(l => l.Stopped));

    public void Apply(WatchEvent<T> e)
    {
        var key = cache.KeyOf(e.Object);
        lock (_lock)
        {
            switch (e.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Upsert(key, e.Object);
                    break;
                case WatchEventType.Deleted when cache.TryRemove(key, out _):
                    Distribute(Notification<T>.Deleted(e.Object));
                    break;
            }
        }
    }

    /// <summary>
    /// Replaces the cache with a fresh list and notifies only the differences: objects that are new, that changed
    /// (by resourceVersion), and that are gone, which are passed with their last known state. The first list also
    /// marks every handler's sync point.
    /// </summary>
    public (int Added, int Updated, int Deleted) Replace(IReadOnlyList<T> items)
    {
        lock (_lock)
        {
            int added = 0, updated = 0, deleted = 0;
            var listed = new HashSet<string>(items.Count);
            foreach (var obj in items)
            {
                var key = cache.KeyOf(obj);
                listed.Add(key);
                if (!cache.TryGetValue(key, out var old))
                {
                    added++;
                }
                else if (ResourceVersionOf(old) == ResourceVersionOf(obj))
                {
                    continue;
                }
                else
                {
                    updated++;
                }

                Upsert(key, obj);
            }

            foreach (var key in cache.Keys.Where(k => !listed.Contains(k)).ToList())
            {
                if (cache.TryRemove(key, out var gone))
                {
                    deleted++;
                    Distribute(Notification<T>.Deleted(gone));
                }
            }

            if (!_synced)
            {
                _synced = true;
                Distribute(Notification<T>.SyncedMarker);
            }

            return (added, updated, deleted);
        }
    }

    /// <summary>The shortest resync period a handler asked for, or null when none asked for one.</summary>
    public TimeSpan? ShortestResyncPeriod()
    {
        lock (_lock)
        {
            return _listeners.Where(l => l.ResyncPeriod > TimeSpan.Zero).Select(l => (TimeSpan?)l.ResyncPeriod).Min();
        }
    }

    /// <summary>
    /// Gives every handler whose resync is due each cached object as an update from itself to itself (client-go's
    /// resync), so a handler that lost a key re-derives it from the cache. Returns how many objects were resent.
    /// </summary>
    public int Resync(DateTimeOffset now)
    {
        lock (_lock)
        {
            var due = _listeners.Where(l => l.ResyncPeriod > TimeSpan.Zero && l.NextResync <= now).ToList();
            foreach (var listener in due)
            {
                listener.NextResync = now + listener.ResyncPeriod;
            }

            if (due.Count == 0)
            {
                return 0;
            }

            foreach (var obj in cache.Values)
            {
                foreach (var listener in due)
                {
                    listener.Add(Notification<T>.Updated(obj, obj));
                }
            }

            return cache.Count;
        }
    }

    public string ResourceVersionOf(T obj) => cache.Kind.Metadata(obj).ResourceVersion;

    private void Upsert(string key, T obj)
    {
        if (cache.TryGetValue(key, out var old))
        {
            cache.Set(key, obj);
            Distribute(Notification<T>.Updated(old, obj));
        }
        else
        {
            cache.Set(key, obj);
            Distribute(Notification<T>.Added(obj));
        }
    }

    private void Distribute(Notification<T> notification)
    {
        foreach (var listener in _listeners)
        {
            listener.Add(notification);
        }
    }
}
