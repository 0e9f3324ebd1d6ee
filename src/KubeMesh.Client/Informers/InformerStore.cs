using System.Collections.Concurrent;
using Google.Protobuf;
using KubeMesh.Api.Resources;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

/// <summary>
/// An informer's cache and its handlers. Every change to the cache and the notification of it happen under one
/// lock, so handlers see changes in order, and a handler added late first sees the current objects as adds.
/// </summary>
internal sealed class InformerStore<T>(ResourceKind kind, ILogger logger)
    where T : class, IMessage<T>, new()
{
    private readonly Lock _lock = new();
    private readonly List<IResourceEventHandler<T>> _handlers = [];

    public ConcurrentDictionary<string, T> Items { get; } = new();

    public void AddHandler(IResourceEventHandler<T> handler)
    {
        lock (_lock)
        {
            _handlers.Add(handler);
            foreach (var obj in Items.Values)
            {
                Notify(h => h.OnAdd(obj), [handler]);
            }
        }
    }

    public void Apply(WatchEvent<T> e)
    {
        var key = KeyOf(e.Object);
        lock (_lock)
        {
            switch (e.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Upsert(key, e.Object);
                    break;
                case WatchEventType.Deleted when Items.TryRemove(key, out _):
                    Notify(h => h.OnDelete(e.Object));
                    break;
            }
        }
    }

    /// <summary>
    /// Replaces the cache with a fresh list and notifies only the differences: objects that are new, that changed
    /// (by resourceVersion), and that are gone, which are passed with their last known state.
    /// </summary>
    public (int Added, int Updated, int Deleted) Replace(IReadOnlyList<T> items)
    {
        lock (_lock)
        {
            int added = 0, updated = 0, deleted = 0;
            var listed = new HashSet<string>(items.Count);
            foreach (var obj in items)
            {
                var key = KeyOf(obj);
                listed.Add(key);
                if (!Items.TryGetValue(key, out var old))
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

            foreach (var key in Items.Keys.Where(k => !listed.Contains(k)).ToList())
            {
                if (Items.TryRemove(key, out var gone))
                {
                    deleted++;
                    Notify(h => h.OnDelete(gone));
                }
            }

            return (added, updated, deleted);
        }
    }

    public string ResourceVersionOf(T obj) => kind.Metadata(obj).ResourceVersion;

    private void Upsert(string key, T obj)
    {
        if (Items.TryGetValue(key, out var old))
        {
            Items[key] = obj;
            Notify(h => h.OnUpdate(old, obj));
        }
        else
        {
            Items[key] = obj;
            Notify(h => h.OnAdd(obj));
        }
    }

    private string KeyOf(T obj) => MetaNamespaceKey.For(kind.Metadata(obj));

    private void Notify(Action<IResourceEventHandler<T>> notify, IEnumerable<IResourceEventHandler<T>>? handlers = null)
    {
        foreach (var handler in handlers ?? _handlers)
        {
            try
            {
                notify(handler);
            }
            catch (Exception e)
            {
                // One broken handler must not stop the cache or the other handlers.
                InformerLog.HandlerFailed(logger, e, kind.Plural);
            }
        }
    }
}
