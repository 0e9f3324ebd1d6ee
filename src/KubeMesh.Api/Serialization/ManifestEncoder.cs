using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Writes API objects the way kubectl prints them: JSON through protobuf's JSON mapping (Kubernetes' field
/// names, default values left out) with 64-bit integers as numbers, and YAML with apiVersion, kind, metadata,
/// spec, status first, nested keys sorted, and strings quoted only where YAML would read them as something else.
/// </summary>
public static class ManifestEncoder
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] LeadingKeys = ["apiVersion", "kind", "metadata", "spec", "status"];

    public static string ToJson(IMessage message) => ToJsonNode(message, sortKeys: false).ToJsonString(Indented) + "\n";

    public static string ToYaml(IMessage message) => YamlWriter.Write(ToJsonNode(message, sortKeys: true));

    /// <summary>The object as a JSON tree in Kubernetes' form; the type fields are filled in for known kinds.</summary>
    public static JsonObject ToJsonNode(IMessage message, bool sortKeys = false)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = ResourceKinds.All.FirstOrDefault(k => k.Descriptor == message.Descriptor);
        if (kind is not null)
        {
            message = message.Descriptor.Parser.ParseFrom(message.ToByteString());
            kind.SetTypeMeta(message);
        }

        var node = (JsonObject)JsonNode.Parse(Formatter.Format(message))!;
        var result = Kubernetize(node, message.Descriptor, sortKeys);
        return sortKeys ? Reorder(result, LeadingKeys) : result;
    }

    private static JsonObject Kubernetize(JsonObject source, MessageDescriptor descriptor, bool sortKeys)
    {
        var fields = JsonFieldNames.For(descriptor);
        var properties = source.Select(p => (p.Key, Value: p.Value));
        if (sortKeys)
        {
            properties = properties.OrderBy(p => p.Key, StringComparer.Ordinal);
        }

        var result = new JsonObject();
        foreach (var (key, value) in properties.ToList())
        {
            result[key] = fields.TryGetValue(key, out var field) && value is not null ? Field(value, field, sortKeys) : value?.DeepClone();
        }

        return result;
    }

    private static JsonNode Field(JsonNode value, FieldDescriptor field, bool sortKeys)
    {
        if (field.IsMap)
        {
            // Go prints map keys sorted; protobuf keeps insertion order.
            var valueField = field.MessageType.FindFieldByNumber(2);
            var map = new JsonObject();
            foreach (var (key, entry) in ((JsonObject)value).OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
            {
                map[key] = entry is null ? null : Single(entry, valueField, sortKeys);
            }

            return map;
        }

        return field.IsRepeated
            ? new JsonArray(((JsonArray)value).Select(v => v is null ? null : Single(v, field, sortKeys)).ToArray())
            : Single(value, field, sortKeys);
    }

    private static JsonNode Single(JsonNode value, FieldDescriptor field, bool sortKeys) => field.FieldType switch
    {
        FieldType.Message when value is JsonObject obj && !JsonFieldNames.IsIntOrString(field) && !JsonFieldNames.IsStruct(field) => Kubernetize(obj, field.MessageType, sortKeys),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64
            when value.GetValueKind() == JsonValueKind.String => JsonNode.Parse(value.GetValue<string>())!,
        _ => value.DeepClone(),
    };

    private static JsonObject Reorder(JsonObject source, string[] leading)
    {
        var result = new JsonObject();
        foreach (var key in leading.Where(source.ContainsKey).Concat(source.Select(p => p.Key).Where(k => !leading.Contains(k))).ToList())
        {
            result[key] = source[key]?.DeepClone();
        }

        return result;
    }
}
