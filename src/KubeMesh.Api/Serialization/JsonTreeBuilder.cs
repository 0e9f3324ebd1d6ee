using System.Text.Json.Nodes;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Builds a JSON tree from a reader's events (collection opened, key, value, collection closed) on a stack of its
/// own, so that no document, however deep, is built by recursion.
/// </summary>
internal sealed class JsonTreeBuilder
{
    private readonly List<Collection> _open = [];

    /// <summary>How many collections are open.</summary>
    public int Depth => _open.Count;

    /// <summary>The finished document, once every collection is closed.</summary>
    public JsonNode? Root { get; private set; }

    /// <summary>True inside a mapping where a key, not a value, comes next.</summary>
    public bool ExpectsKey => _open.Count > 0 && _open[^1] is { Node: JsonObject, Key: null };

    public void Reset()
    {
        _open.Clear();
        Root = null;
    }

    public void Open(JsonNode collection) => _open.Add(new Collection(collection));

    /// <summary>Closes the innermost collection and puts it in its parent; returns it.</summary>
    public JsonNode Close()
    {
        var node = _open[^1].Node;
        _open.RemoveAt(_open.Count - 1);
        Value(node);
        return node;
    }

    /// <summary>The next key of the innermost mapping; false when the mapping has it already.</summary>
    public bool Key(string key)
    {
        var open = _open[^1];
        if (open.Node.AsObject().ContainsKey(key))
        {
            return false;
        }

        open.Key = key;
        return true;
    }

    public void Value(JsonNode? node)
    {
        if (_open.Count == 0)
        {
            Root = node;
            return;
        }

        var open = _open[^1];
        if (open.Node is JsonArray array)
        {
            array.Add(node);
        }
        else
        {
            open.Node.AsObject().Add(open.Key!, node);
            open.Key = null;
        }
    }

    /// <summary>JsonNode.DeepClone without recursion: a YAML alias may name a tree thousands of levels deep.</summary>
    public static JsonNode? Clone(JsonNode? source)
    {
        if (source is not (JsonObject or JsonArray))
        {
            return source?.DeepClone();
        }

        var copy = new JsonTreeBuilder();
        var pending = new Stack<(JsonNode? Node, string? Key, bool Close)>();
        pending.Push((source, null, false));
        while (pending.TryPop(out var item))
        {
            if (item.Close)
            {
                copy.Close();
                continue;
            }

            if (item.Key is not null)
            {
                copy.Key(item.Key);
            }

            switch (item.Node)
            {
                case JsonObject obj:
                    copy.Open(new JsonObject());
                    pending.Push((null, null, true));
                    foreach (var (key, value) in obj.Reverse())
                    {
                        pending.Push((value, key, false));
                    }

                    break;
                case JsonArray array:
                    copy.Open(new JsonArray());
                    pending.Push((null, null, true));
                    for (var i = array.Count - 1; i >= 0; i--)
                    {
                        pending.Push((array[i], null, false));
                    }

                    break;
                default:
                    copy.Value(item.Node?.DeepClone());
                    break;
            }
        }

        return copy.Root;
    }

    private sealed class Collection(JsonNode node)
    {
        public JsonNode Node { get; } = node;

        /// <summary>In a mapping, the key whose value comes next; null while a key is expected.</summary>
        public string? Key { get; set; }
    }
}
