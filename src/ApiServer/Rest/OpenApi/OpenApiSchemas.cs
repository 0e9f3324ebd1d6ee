using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Rest.OpenApi;

/// <summary>
/// OpenAPI v3 schemas generated from the kinds' protobuf descriptors, with the JSON names and shapes the API
/// reads and writes (int-or-string, date-time, base64 bytes, maps as additionalProperties) and the strategic merge
/// patch extensions x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key from the fields' options, so
/// kubectl computes its patches with the merge keys the server applies them with.
/// </summary>
public static class OpenApiSchemas
{
    public const string PatchSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    public const string ScaleSchema = "io.k8s.api.autoscaling.v1.Scale";
    public const string StatusSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    public static string Name(MessageDescriptor descriptor) => descriptor.FullName;

    public static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };

    /// <summary>The schemas of the kinds and every message they reach, plus Patch, Status and Scale.</summary>
    public static JsonObject For(IEnumerable<ResourceKind> kinds)
    {
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            Add(kind.Descriptor, schemas);
            Add(kind.ListDescriptor, schemas);
            ((JsonObject)schemas[Name(kind.Descriptor)])["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind.Group, kind.Version, kind.Kind));
            ((JsonObject)schemas[Name(kind.ListDescriptor)])["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind.Group, kind.Version, kind.ListDescriptor.Name));
        }

        Add(ObjectMeta.Descriptor, schemas);
        schemas[PatchSchema] = new JsonObject { ["type"] = "object", ["description"] = "A patch in one of the patch formats the content type names." };
        schemas[StatusSchema] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = Scalar("string"), ["kind"] = Scalar("string"), ["status"] = Scalar("string"), ["message"] = Scalar("string"),
                ["reason"] = Scalar("string"), ["code"] = Scalar("integer", "int32"),
                ["details"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                ["metadata"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            },
            ["x-kubernetes-group-version-kind"] = new JsonArray(Gvk("", "v1", "Status")),
        };
        schemas[ScaleSchema] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = Scalar("string"),
                ["kind"] = Scalar("string"),
                ["metadata"] = new JsonObject { ["allOf"] = new JsonArray(Ref(Name(ObjectMeta.Descriptor))) },
                ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["replicas"] = Scalar("integer", "int32") } },
                ["status"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["replicas"] = Scalar("integer", "int32"), ["selector"] = Scalar("string") },
                },
            },
            ["x-kubernetes-group-version-kind"] = new JsonArray(Gvk("autoscaling", "v1", "Scale")),
        };
        var result = new JsonObject();
        foreach (var (name, schema) in schemas)
        {
            result[name] = schema;
        }

        return result;
    }

    public static JsonObject Gvk(string group, string version, string kind) => new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static void Add(MessageDescriptor descriptor, SortedDictionary<string, JsonNode> schemas)
    {
        var name = Name(descriptor);
        if (schemas.ContainsKey(name))
        {
            return;
        }

        var properties = new JsonObject();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        schemas[name] = schema;
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            properties[field.JsonName] = Field(field, schemas);
        }
    }

    private static JsonObject Field(FieldDescriptor field, SortedDictionary<string, JsonNode> schemas)
    {
        if (field.IsMap)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Single(field.MessageType.FindFieldByNumber(2), schemas) };
        }

        if (!field.IsRepeated)
        {
            return Single(field, schemas);
        }

        var array = new JsonObject { ["type"] = "array", ["items"] = Single(field, schemas) };
        var options = field.GetOptions();
        if (options?.GetExtension(PatchExtensions.PatchStrategy) is { Length: > 0 } strategy)
        {
            array["x-kubernetes-patch-strategy"] = strategy;
        }

        if (options?.GetExtension(PatchExtensions.PatchMergeKey) is { Length: > 0 } key)
        {
            array["x-kubernetes-patch-merge-key"] = key;
        }

        return array;
    }

    private static JsonObject Single(FieldDescriptor field, SortedDictionary<string, JsonNode> schemas)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when field.MessageType.FullName == "google.protobuf.Value":
                return new JsonObject { ["x-kubernetes-int-or-string"] = true, ["anyOf"] = new JsonArray(Scalar("integer"), Scalar("string")) };
            case FieldType.Message when field.MessageType.FullName == "google.protobuf.Timestamp":
                return Scalar("string", "date-time");
            case FieldType.Message when field.MessageType.FullName == "google.protobuf.Struct":
                return new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            case FieldType.Message:
                Add(field.MessageType, schemas);
                var reference = new JsonObject { ["allOf"] = new JsonArray(Ref(Name(field.MessageType))) };
                if (!field.IsRepeated && field.GetOptions()?.GetExtension(PatchExtensions.PatchStrategy) is { Length: > 0 } strategy)
                {
                    reference["x-kubernetes-patch-strategy"] = strategy;
                }

                return reference;
            case FieldType.String or FieldType.Enum:
                return Scalar("string");
            case FieldType.Bytes:
                return Scalar("string", "byte");
            case FieldType.Bool:
                return Scalar("boolean");
            case FieldType.Double or FieldType.Float:
                return Scalar("number", "double");
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64:
                return Scalar("integer", "int64");
            default:
                return Scalar("integer", "int32");
        }
    }

    private static JsonObject Scalar(string type, string? format = null)
    {
        var schema = new JsonObject { ["type"] = type };
        if (format is not null)
        {
            schema["format"] = format;
        }

        return schema;
    }
}
