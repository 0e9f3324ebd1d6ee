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
    /// <summary>The index every cache keeps: objects by namespace ("" for cluster-scoped kinds).</summary>
    public const string NamespaceIndex = "namespace";

    private readonly ConcurrentDictionary<string, T> _items = new();

    // client-go's threadSafeStore indices: index name -> indexed value -> keys. Written under _indexLock together
    // with _items, so a reader of an index never sees a key whose object is not (or no longer) in the cache.
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, (Func<T, IEnumerable<string>> Values, Dictionary<string, HashSet<string>> Keys)> _indices = [];

    internal InformerCache(ResourceKind kind)
    {
        Kind = kind;
        _indices[NamespaceIndex] = (obj => [kind.Metadata(obj).Namespace], []);
    }

    public ResourceKind Kind { get; }

    public int Count => _items.Count;

    /// <summary>Adds or replaces the object under its key.</summary>
    public void Add(T obj) => Set(KeyOf(obj), obj);

    public void Update(T obj) => Add(obj);

    public void Delete(T obj) => TryRemove(KeyOf(obj), out _);

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
            TryRemove(key, out _);
        }
    }

    public T? GetByKey(string key) => _items.GetValueOrDefault(key);

    public bool TryGetValue(string key, out T obj) => _items.TryGetValue(key, out obj!);

    public IEnumerable<T> Values => _items.Values;

    public ICollection<string> Keys => _items.Keys;

    /// <summary>
    /// Adds an index (client-go's AddIndexers): <paramref name="values"/> gives the values an object is filed under.
    /// Indexing the same name again keeps the first function, so informers shared between controllers can each ask
    /// for the index they need. Objects already cached are indexed at once.
    /// </summary>
    public void AddIndexer(string name, Func<T, IEnumerable<string>> values)
    {
        lock (_indexLock)
        {
            if (_indices.ContainsKey(name))
            {
                return;
            }

            var keys = new Dictionary<string, HashSet<string>>();
            foreach (var (key, obj) in _items)
            {
                File(keys, values(obj), key);
            }

            _indices[name] = (values, keys);
        }
    }

    /// <summary>The cached objects filed under <paramref name="value"/> in the index (client-go's ByIndex).</summary>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_indexLock)
        {
            if (!_indices.TryGetValue(name, out var index))
            {
                throw new ArgumentException($"no index named {name}", nameof(name));
            }

            if (!index.Keys.TryGetValue(value, out var keys))
            {
                return [];
            }

            var result = new List<T>(keys.Count);
            foreach (var key in keys)
            {
                result.Add(_items[key]);
            }

            return result;
        }
    }

    internal void Set(string key, T obj)
    {
        lock (_indexLock)
        {
            var old = _items.GetValueOrDefault(key);
            _items[key] = obj;
            foreach (var (values, keys) in _indices.Values)
            {
                if (old is not null)
                {
                    Unfile(keys, values(old), key);
                }

                File(keys, values(obj), key);
            }
        }
    }

    internal bool TryRemove(string key, out T obj)
    {
        lock (_indexLock)
        {
            if (!_items.TryRemove(key, out obj!))
            {
                return false;
            }

            foreach (var (values, keys) in _indices.Values)
            {
                Unfile(keys, values(obj), key);
            }

            return true;
        }
    }

    internal string KeyOf(T obj) => MetaNamespaceKey.For(Kind.Metadata(obj));

    private static void File(Dictionary<string, HashSet<string>> index, IEnumerable<string> values, string key)
    {
        foreach (var value in values)
        {
            if (!index.TryGetValue(value, out var keys))
            {
                index[value] = keys = [];
            }

            keys.Add(key);
        }
    }

    private static void Unfile(Dictionary<string, HashSet<string>> index, IEnumerable<string> values, string key)
    {
        foreach (var value in values)
        {
            if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
            {
                index.Remove(value);
            }
        }
    }
}
