using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>JSON value helpers the patch formats share: equality as Go compares decoded JSON, and directive removal.</summary>
internal static class JsonValues
{
    public static bool Same(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a is JsonValue va && b is JsonValue vb && va.GetValueKind() == JsonValueKind.Number && vb.GetValueKind() == JsonValueKind.Number)
        {
            return va.GetValue<double>() == vb.GetValue<double>();
        }

        return JsonNode.DeepEquals(a, b);
    }

    /// <summary>The kind Go's reflect.TypeOf tells apart in decoded JSON: object, array, string, number, bool.</summary>
    public static JsonValueKind Category(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.False => JsonValueKind.True,
        var kind => kind,
    };

    /// <summary>
    /// A patch value taken as it is, without its directives: maps marked $patch go, as do $retainKeys,
    /// $setElementOrder/ and $deleteFromPrimitiveList/ keys, which mean nothing where there is nothing to merge with.
    /// Returns null when the value itself is a directive.
    /// </summary>
    public static JsonNode? WithoutDirectives(JsonNode? node, out bool keep)
    {
        keep = true;
        switch (node)
        {
            case JsonObject obj when obj.ContainsKey("$patch"):
                keep = false;
                return null;
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key.StartsWith('$'))
                    {
                        continue;
                    }

                    var cleaned = WithoutDirectives(value, out var keepValue);
                    if (keepValue)
                    {
                        result[key] = cleaned;
                    }
                }

                return result;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    var cleaned = WithoutDirectives(item, out var keepItem);
                    if (keepItem)
                    {
                        items.Add(cleaned);
                    }
                }

                return items;
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>Null values inside a patch value that has nothing to delete from mean nothing.</summary>
    public static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray array => new JsonArray(array.Select(WithoutNulls).ToArray()),
        _ => node?.DeepClone(),
    };
}
