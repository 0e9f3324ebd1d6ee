using Google.Protobuf;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Client;

/// <summary>
/// Reads an informer's cache (client-go's listers): what controllers consult instead of calling the api-server.
/// The returned objects are shared with the cache: clone before modifying.
/// </summary>
public sealed class Lister<T>
    where T : class, IMessage<T>, new()
{
    private readonly InformerCache<T> _items;

    public Lister(InformerCache<T> items)
    {
        _items = items;
    }

    /// <summary>The object, or null if the cache has none. Pass "" as namespace for cluster-scoped kinds.</summary>
    public T? Get(string @namespace, string name) => _items.GetByKey(MetaNamespaceKey.For(@namespace, name));

    public T? GetByKey(string key) => _items.GetByKey(key);

    /// <summary>Objects in the namespace (all namespaces when null or empty) that the selector matches.</summary>
    public IReadOnlyList<T> List(string? @namespace = null, LabelSelectorExpression? selector = null)
    {
        // A namespace is read through the cache's namespace index, not by walking every object of the kind.
        IEnumerable<T> scope = string.IsNullOrEmpty(@namespace) ? _items.Values : _items.ByIndex(InformerCache<T>.NamespaceIndex, @namespace);
        var result = new List<T>();
        foreach (var obj in scope)
        {
            if (selector is null || selector.Matches(_items.Kind.Metadata(obj).Labels))
            {
                result.Add(obj);
            }
        }

        return result;
    }

    /// <summary>The cached objects filed under <paramref name="value"/> in the cache's index <paramref name="index"/>.</summary>
    public IReadOnlyList<T> ByIndex(string index, string value) => _items.ByIndex(index, value);

    public IReadOnlyList<string> ListKeys() => [.. _items.Keys];
}
