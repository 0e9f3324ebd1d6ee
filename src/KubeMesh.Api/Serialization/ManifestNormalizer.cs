using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Walks a manifest's JSON tree against the protobuf descriptor of its kind. It reports unknown fields and wrong
/// shapes with full field paths (protobuf's own parser would only say what, not where), and normalizes what
/// Kubernetes accepts but protobuf's JSON mapping does not: a number or boolean written for a string field
/// (<c>cpu: 1</c>, label values) becomes that string; int-or-string fields take either.
/// The result uses JSON names only and feeds protobuf's JsonParser. Unknown fields go to
/// <paramref name="unknownFields"/> when given (to be warned about or ignored), else they are errors.
/// </summary>
internal sealed class ManifestNormalizer(List<FieldError> errors, List<FieldError>? unknownFields = null)
{
    private readonly List<Frame> _ancestors = [];

    public JsonObject Message(JsonObject source, MessageDescriptor descriptor, string path)
    {
        var fields = JsonFieldNames.For(descriptor);
        var result = new JsonObject();
        _ancestors.Add(new Frame(descriptor, source, path));
        foreach (var (key, value) in source)
        {
            var fieldPath = Join(path, key);
            if (!fields.TryGetValue(key, out var field))
            {
                (unknownFields ?? errors).Add(new FieldError(fieldPath, UnknownField(key)));
                continue;
            }

            if (result.ContainsKey(field.JsonName))
            {
                errors.Add(FieldError.Duplicate(fieldPath, field.JsonName));
                continue;
            }

            if (value is not null && Field(value, field, fieldPath) is { } normalized)
            {
                result[field.JsonName] = normalized;
            }
        }

        _ancestors.RemoveAt(_ancestors.Count - 1);
        return result;
    }

    private JsonNode? Field(JsonNode value, FieldDescriptor field, string path)
    {
        if (field.IsMap)
        {
            return Map(value, field, path);
        }

        if (!field.IsRepeated)
        {
            return Single(value, field, path);
        }

        if (value is not JsonArray array)
        {
            return WrongType(path, "a list", value);
        }

        var items = new JsonArray();
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (array[i] is null)
            {
                errors.Add(new FieldError(itemPath, "wrong type: expected a list item, got null"));
            }
            else if (Single(array[i]!, field, itemPath) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private JsonObject? Map(JsonNode value, FieldDescriptor field, string path)
    {
        if (value is not JsonObject source)
        {
            WrongType(path, "a map", value);
            return null;
        }

        var valueField = field.MessageType.FindFieldByNumber(2);
        var result = new JsonObject();
        foreach (var (key, entry) in source)
        {
            var entryPath = $"{path}[{key}]";
            if (entry is null)
            {
                // A key with no value means the empty value, as in `labels: {tier: }`.
                if (valueField.FieldType is FieldType.String or FieldType.Bytes)
                {
                    result[key] = "";
                }

                continue;
            }

            if (Single(entry, valueField, entryPath) is { } normalized)
            {
                result[key] = normalized;
            }
        }

        return result;
    }

    private JsonNode? Single(JsonNode value, FieldDescriptor field, string path)
    {
        var kind = value.GetValueKind();
        switch (field.FieldType)
        {
            case FieldType.Message when JsonFieldNames.IsIntOrString(field):
                return IntOrString(value, kind, path);
            case FieldType.Message when JsonFieldNames.IsTimestamp(field):
                return Timestamp(value, kind, path);
            case FieldType.Message when JsonFieldNames.IsStruct(field):
                // Free-form JSON, as Kubernetes' runtime.RawExtension (a ControllerRevision's data).
                return value is JsonObject ? value.DeepClone() : WrongType(path, "an object", value);
            case FieldType.Message:
                return value is JsonObject obj ? Message(obj, field.MessageType, path) : WrongType(path, "an object", value);
            case FieldType.String:
                return kind switch
                {
                    JsonValueKind.String => value.DeepClone(),
                    JsonValueKind.Number => JsonValue.Create(value.ToJsonString()),
                    JsonValueKind.True => JsonValue.Create("true"),
                    JsonValueKind.False => JsonValue.Create("false"),
                    _ => WrongType(path, "a string", value),
                };
            case FieldType.Bytes:
                return Base64(value, kind, path);
            case FieldType.Bool:
                return kind is JsonValueKind.True or JsonValueKind.False ? value.DeepClone() : WrongType(path, "a boolean", value);
            case FieldType.Double or FieldType.Float:
                return kind == JsonValueKind.Number ? value.DeepClone() : WrongType(path, "a number", value);
            case FieldType.Enum:
                return kind is JsonValueKind.String or JsonValueKind.Number ? value.DeepClone() : WrongType(path, "a string", value);
            default:
                return Integer(value, kind, field.FieldType, path);
        }
    }

    private JsonNode? Integer(JsonNode value, JsonValueKind kind, FieldType type, string path)
    {
        var is64 = type is FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64;

        // protobuf's JSON form writes 64-bit integers as strings, so JSON made by the API itself reads back.
        if (kind != JsonValueKind.Number && !(is64 && kind == JsonValueKind.String))
        {
            return WrongType(path, "an integer", value);
        }

        var text = kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            errors.Add(FieldError.Invalid(path, text, "must be an integer"));
            return null;
        }

        var unsigned = type is FieldType.UInt32 or FieldType.UInt64 or FieldType.Fixed32 or FieldType.Fixed64;
        if ((!is64 && (number > (unsigned ? uint.MaxValue : int.MaxValue) || number < int.MinValue)) || (unsigned && number < 0))
        {
            errors.Add(FieldError.Invalid(path, number, is64 ? "out of range" : "must fit in a 32-bit integer"));
            return null;
        }

        return JsonValue.Create(number);
    }

    private JsonNode? IntOrString(JsonNode value, JsonValueKind kind, string path)
    {
        if (kind == JsonValueKind.String)
        {
            return value.DeepClone();
        }

        if (kind == JsonValueKind.Number && int.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return WrongType(path, "an integer or a string", value);
    }

    private JsonNode? Timestamp(JsonNode value, JsonValueKind kind, string path)
    {
        if (kind != JsonValueKind.String)
        {
            return WrongType(path, "an RFC 3339 timestamp", value);
        }

        try
        {
            JsonParser.Default.Parse<Timestamp>(value.ToJsonString());
            return value.DeepClone();
        }
        catch (InvalidProtocolBufferException)
        {
            errors.Add(FieldError.Invalid(path, value.GetValue<string>(), "must be an RFC 3339 timestamp such as 2024-01-02T15:04:05Z"));
            return null;
        }
    }

    private JsonNode? Base64(JsonNode value, JsonValueKind kind, string path)
    {
        if (kind != JsonValueKind.String)
        {
            return WrongType(path, "a base64 string", value);
        }

        var text = value.GetValue<string>();
        var buffer = new byte[text.Length];
        if (!System.Convert.TryFromBase64String(text, buffer, out _))
        {
            errors.Add(FieldError.Invalid(path, "<value omitted>", "illegal base64 data"));
            return null;
        }

        return value.DeepClone();
    }

    private JsonNode? WrongType(string path, string expected, JsonNode value)
    {
        var got = value.GetValueKind() switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        errors.Add(new FieldError(path, $"wrong type: expected {expected}, got {got}"));
        return null;
    }

    /// <summary>
    /// Most unknown fields are mis-indented known ones. Point at the place the field exists: a level up whose
    /// object does not have it yet (Job's spec.template.backoffLimit), or a level down (a volume source at spec).
    /// </summary>
    private string UnknownField(string key)
    {
        var message = $"unknown field \"{key}\"";
        for (var i = _ancestors.Count - 2; i >= 0; i--)
        {
            var ancestor = _ancestors[i];
            if (JsonFieldNames.For(ancestor.Descriptor).TryGetValue(key, out var field) && !ancestor.Source.ContainsKey(key))
            {
                return $"{message}; it belongs at {Join(ancestor.Path, field.JsonName)} (check the indentation)";
            }
        }

        var current = _ancestors[^1];
        foreach (var child in current.Descriptor.Fields.InDeclarationOrder())
        {
            if (child.FieldType == FieldType.Message && !child.IsMap
                && JsonFieldNames.For(child.MessageType).TryGetValue(key, out var inner))
            {
                var childPath = Join(current.Path, child.JsonName) + (child.IsRepeated ? "[*]" : "");
                return $"{message}; did you mean {childPath}.{inner.JsonName}? (check the indentation)";
            }
        }

        return message;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private sealed record Frame(MessageDescriptor Descriptor, JsonObject Source, string Path);
}
