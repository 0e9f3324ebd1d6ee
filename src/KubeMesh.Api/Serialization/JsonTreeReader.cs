using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Reads one JSON document into a tree token by token, never by recursion, nesting at most
/// <see cref="ApiLimits.MaxNestingDepth"/> deep (encoding/json's limit, which kube-apiserver's decoder keeps).
/// JsonNode.Parse would do the same work through a JsonDocument, whose cost per token grows with the depth: a
/// 3 MiB document 10000 levels deep took over a minute. Comments and trailing commas are allowed, duplicate keys
/// are not. Numbers keep their text, so a number read into a string field keeps its digits.
/// </summary>
internal static class JsonTreeReader
{
    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = ApiLimits.MaxNestingDepth + 1,
    };

    /// <summary>The document in <paramref name="text"/>; bad JSON or too deep a document throws JsonException.</summary>
    public static JsonNode? Read(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, Options);
        var tree = new JsonTreeBuilder();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (tree.Depth >= ApiLimits.MaxNestingDepth)
                    {
                        throw Error(utf8, reader.TokenStartIndex, $"exceeded max depth of {ApiLimits.MaxNestingDepth}");
                    }

                    tree.Open(reader.TokenType == JsonTokenType.StartObject ? new JsonObject() : new JsonArray());
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    tree.Close();
                    break;
                case JsonTokenType.PropertyName:
                    var key = reader.GetString()!;
                    if (!tree.Key(key))
                    {
                        throw Error(utf8, reader.TokenStartIndex, $"duplicate key \"{key}\"");
                    }

                    break;
                case JsonTokenType.String:
                    tree.Value(JsonValue.Create(reader.GetString()));
                    break;
                case JsonTokenType.Number:
                    tree.Value(JsonNumbers.FromText(Encoding.UTF8.GetString(reader.ValueSpan)));
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    tree.Value(JsonValue.Create(reader.GetBoolean()));
                    break;
                case JsonTokenType.Null:
                    tree.Value(null);
                    break;
            }
        }

        return tree.Root;
    }

    /// <summary>An error at a byte offset, with the line and column System.Text.Json's own errors carry.</summary>
    private static JsonException Error(byte[] utf8, long offset, string message)
    {
        var before = utf8.AsSpan(0, (int)offset);
        var line = before.Count((byte)'\n');
        var column = before.Length - (before.LastIndexOf((byte)'\n') + 1);
        return new JsonException($"{message}. LineNumber: {line} | BytePositionInLine: {column}.", null, line, column);
    }
}
