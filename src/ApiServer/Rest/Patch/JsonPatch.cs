using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>
/// JSON patch (RFC 6902, application/json-patch+json): add, remove, replace, move, copy and test at JSON pointers
/// (RFC 6901), applied in order to a copy, all or nothing. At most 10,000 operations, as kube-apiserver allows.
/// </summary>
public static class JsonPatch
{
    public const int MaxOperations = 10_000;

    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        if (patch is not JsonArray operations)
        {
            throw new PatchException("a JSON patch must be a list of operations");
        }

        if (operations.Count > MaxOperations)
        {
            throw new PatchException($"the JSON patch has {operations.Count} operations, more than the {MaxOperations} allowed");
        }

        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var node in operations)
        {
            if (node is not JsonObject op)
            {
                throw new PatchException("each JSON patch operation must be an object");
            }

            var name = Text(op, "op");
            var path = Pointer(Text(op, "path"));
            switch (name)
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var from = Pointer(Text(op, "from"));
                    var moved = Get(root, from);
                    Remove(root, from);
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Get(root, Pointer(Text(op, "from"))));
                    break;
                case "test":
                    if (!JsonValues.Same(Get(root, path), Value(op)))
                    {
                        throw new PatchException($"testing value {Text(op, "path")} failed: it is not {Value(op)?.ToJsonString() ?? "null"}");
                    }

                    break;
                default:
                    throw new PatchException($"unexpected kind of JSON patch operation: \"{name}\"");
            }
        }

        return root["doc"] ?? throw new PatchException("the JSON patch removed the whole object");
    }

    private static string Text(JsonObject op, string key) =>
        op[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new PatchException($"the JSON patch operation {op.ToJsonString()} has no \"{key}\"");

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new PatchException($"the JSON patch operation {op.ToJsonString()} has no \"value\"");

    /// <summary>The pointer's tokens under the synthetic root member "doc".</summary>
    private static List<string> Pointer(string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw new PatchException($"the JSON pointer \"{pointer}\" must start with /");
        }

        List<string> tokens = ["doc"];
        if (pointer.Length > 0)
        {
            tokens.AddRange(pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
        }

        return tokens;
    }

    private static JsonNode? Get(JsonNode root, List<string> path)
    {
        var (parent, last) = Parent(root, path);
        return parent switch
        {
            JsonObject obj when obj.TryGetPropertyValue(last, out var value) => value?.DeepClone(),
            JsonArray array => array[Index(array, last, append: false)]?.DeepClone(),
            _ => throw Missing(path),
        };
    }

    private static void Add(JsonNode root, List<string> path, JsonNode? value)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array:
                array.Insert(Index(array, last, append: true), value);
                break;
            default:
                throw Missing(path);
        }
    }

    private static void Remove(JsonNode root, List<string> path)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                break;
            case JsonArray array:
                array.RemoveAt(Index(array, last, append: false));
                break;
            default:
                throw Missing(path);
        }
    }

    private static (JsonNode? Parent, string Last) Parent(JsonNode root, List<string> path)
    {
        JsonNode? current = root;
        foreach (var token in path.Take(path.Count - 1))
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array => array[Index(array, token, append: false)],
                _ => throw Missing(path),
            };
        }

        return (current, path[^1]);
    }

    private static int Index(JsonArray array, string token, bool append)
    {
        if (append && token == "-")
        {
            return array.Count;
        }

        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index > array.Count || (!append && index == array.Count))
        {
            throw new PatchException($"array index \"{token}\" is out of bounds (the list has {array.Count} items)");
        }

        return index;
    }

    private static PatchException Missing(List<string> path) =>
        new($"doc is missing path: \"/{string.Join('/', path.Skip(1))}\"");
}
