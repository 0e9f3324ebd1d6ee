using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Reads Kubernetes manifests (YAML with one or many documents, JSON, or a <c>kind: List</c>) into the API's
/// protobuf messages, strictly: every unknown field and wrong shape of every document is reported with its field
/// path before anything is returned, so nothing is applied from a manifest that is partly wrong.
/// </summary>
public static class ManifestDecoder
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static IReadOnlyList<ManifestObject> Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<ManifestError>();
        var objects = new List<ManifestObject>();
        var documents = ManifestDocuments.Read(text);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = i + 1;
            switch (documents[i])
            {
                case null:
                    continue;
                case JsonObject obj when IsList(obj):
                    DecodeList(obj, document, objects, errors);
                    break;
                case JsonObject obj:
                    DecodeObject(obj, document, $"document {document}", objects, errors);
                    break;
                default:
                    errors.Add(new ManifestError($"document {document}", new FieldError("", "a manifest document must be an object")));
                    break;
            }
        }

        if (errors.Count > 0)
        {
            throw new ManifestException(errors);
        }

        return objects;
    }

    private static bool IsList(JsonObject obj) =>
        obj["kind"] is JsonValue kind && kind.GetValueKind() == JsonValueKind.String
        && kind.GetValue<string>().EndsWith("List", StringComparison.Ordinal) && obj.ContainsKey("items");

    private static void DecodeList(JsonObject list, int document, List<ManifestObject> objects, List<ManifestError> errors)
    {
        if (list["items"] is not JsonArray items)
        {
            errors.Add(new ManifestError($"document {document}", new FieldError("items", "wrong type: expected a list")));
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonObject item)
            {
                DecodeObject(item, document, $"document {document} items[{i}]", objects, errors);
            }
            else
            {
                errors.Add(new ManifestError($"document {document}", new FieldError($"items[{i}]", "wrong type: expected an object")));
            }
        }
    }

    private static void DecodeObject(JsonObject obj, int document, string where, List<ManifestObject> objects, List<ManifestError> errors)
    {
        var fieldErrors = new List<FieldError>();
        var apiVersion = TypeField(obj, "apiVersion", fieldErrors);
        var kindName = TypeField(obj, "kind", fieldErrors);
        var name = (obj["metadata"] as JsonObject)?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        var source = kindName is not null && !string.IsNullOrEmpty(name) ? $"{kindName}/{name}" : kindName is not null ? $"{where} ({kindName})" : where;

        var kind = apiVersion is not null && kindName is not null ? FindKind(apiVersion, kindName, fieldErrors) : null;
        if (kind is not null)
        {
            var normalized = new ManifestNormalizer(fieldErrors).Message(obj, kind.Descriptor, "");
            RequireName(normalized, fieldErrors);
            if (fieldErrors.Count == 0 && Parse(normalized, kind, fieldErrors) is { } message)
            {
                objects.Add(new ManifestObject(kind, message, document));
            }
        }

        errors.AddRange(fieldErrors.Select(e => new ManifestError(source, e)));
    }

    private static string? TypeField(JsonObject obj, string field, List<FieldError> errors)
    {
        var value = obj[field];
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0)
        {
            return v.GetValue<string>();
        }

        errors.Add(value is null ? FieldError.Required(field) : new FieldError(field, "wrong type: expected a non-empty string"));
        return null;
    }

    private static ResourceKind? FindKind(string apiVersion, string kindName, List<FieldError> errors)
    {
        if (ResourceKinds.Find(apiVersion, kindName) is { } kind)
        {
            return kind;
        }

        var sameKind = ResourceKinds.All.FirstOrDefault(k => k.Kind == kindName);
        errors.Add(sameKind is not null
            ? FieldError.Invalid("apiVersion", apiVersion, $"kind {kindName} is served as apiVersion \"{sameKind.ApiVersion}\"")
            : FieldError.Invalid("kind", kindName, $"no kind \"{kindName}\" is registered for version \"{apiVersion}\""));
        return null;
    }

    private static void RequireName(JsonObject normalized, List<FieldError> errors)
    {
        var metadata = normalized["metadata"] as JsonObject;
        static bool Has(JsonObject? m, string f) => m?[f] is JsonValue v && v.GetValue<string>().Length > 0;
        if (!Has(metadata, "name") && !Has(metadata, "generateName"))
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
    }

    private static IMessage? Parse(JsonObject normalized, ResourceKind kind, List<FieldError> errors)
    {
        try
        {
            return Parser.Parse(normalized.ToJsonString(), kind.Descriptor);
        }
        catch (InvalidProtocolBufferException e)
        {
            errors.Add(new FieldError("", e.Message));
        }
        catch (InvalidJsonException e)
        {
            errors.Add(new FieldError("", e.Message));
        }

        return null;
    }
}
