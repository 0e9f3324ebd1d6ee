using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.Kmctl.Printing;

/// <summary>-o yaml, -o json and -o name, shaped as kubectl prints them (keys sorted, a List around several objects).</summary>
public static class ObjectPrinter
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode ToNode(ResourceKind kind, IMessage obj)
    {
        var copy = kind.Parse(obj.ToByteString());
        kind.SetTypeMeta(copy);
        return Sorted(ManifestEncoder.ToJsonNode(copy, sortKeys: true))!;
    }

    /// <summary>One object as itself; several (or a list request) as kind List, as kubectl does.</summary>
    public static JsonNode Document(IReadOnlyList<(ResourceKind Kind, IMessage Object)> objects, bool asList)
    {
        if (objects.Count == 1 && !asList)
        {
            return ToNode(objects[0].Kind, objects[0].Object);
        }

        var items = new JsonArray(objects.Select(o => (JsonNode?)ToNode(o.Kind, o.Object)).ToArray());
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["items"] = items,
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        };
    }

    public static string Yaml(JsonNode node) => YamlEmitter.Emit(node);

    public static string Json(JsonNode node) => node.ToJsonString(Indented) + "\n";

    public static string Name(ResourceKind kind, IMessage obj) => ObjectNames.Qualified(kind, kind.Metadata(obj).Name);

    /// <summary>kubectl prints keys in alphabetical order at every level.</summary>
    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
