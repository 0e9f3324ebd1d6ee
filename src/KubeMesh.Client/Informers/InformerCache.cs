using System.Collections.Concurrent;
using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Client;

/// <summary>
/// An informer's local copy of one kind, keyed "namespace/name" (client-go's cache.Store): what listers read.
/// The informer writes it as events arrive; a controller's unit test fills it directly, as client-go tests fill an
/// informer's indexer, and no handler is told.
/// </summary>
public sealed class InformerCache<T>
    where T : class, IMessage<T>, new()
{
    private readonly ConcurrentDictionary<string, T> _items = new();

    internal InformerCache(ResourceKind kind)
    {
        Kind = kind;
    }

    public ResourceKind Kind { get; }

    public int Count => _items.Count;

    /// <summary>Adds or replaces the object under its key.</summary>
    public void Add(T obj) => _items[KeyOf(obj)] = obj;

    public void Update(T obj) => Add(obj);

    public void Delete(T obj) => _items.TryRemove(KeyOf(obj), out _);

    /// <summary>Makes the cache hold exactly these objects.</summary>
    public void Replace(IEnumerable<T> objects)
    {
        var keep = new HashSet<string>();
        foreach (var obj in objects)
        {
            keep.Add(KeyOf(obj));
            Add(obj);
        }

        foreach (var key in _items.Keys.Where(k => !keep.Contains(k)))
        {
            _items.TryRemove(key, out _);
        }
    }

    public T? GetByKey(string key) => _items.GetValueOrDefault(key);

    public bool TryGetValue(string key, out T obj) => _items.TryGetValue(key, out obj!);

    public IEnumerable<T> Values => _items.Values;

    public ICollection<string> Keys => _items.Keys;

    internal void Set(string key, T obj) => _items[key] = obj;

    internal bool TryRemove(string key, out T obj) => _items.TryRemove(key, out obj!);

    internal string KeyOf(T obj) => MetaNamespaceKey.For(Kind.Metadata(obj));
}
