using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// The names a manifest may use for a message's fields: the JSON name (Kubernetes' own, "containerPort",
/// "podIP") and, as protobuf's JSON mapping also allows, the proto name ("container_port").
/// </summary>
internal static class JsonFieldNames
{
    private static readonly ConcurrentDictionary<MessageDescriptor, IReadOnlyDictionary<string, FieldDescriptor>> Cache = new();

    public static IReadOnlyDictionary<string, FieldDescriptor> For(MessageDescriptor descriptor) =>
        Cache.GetOrAdd(descriptor, static d =>
        {
            var names = new Dictionary<string, FieldDescriptor>(StringComparer.Ordinal);
            foreach (var field in d.Fields.InDeclarationOrder())
            {
                names[field.JsonName] = field;
                names.TryAdd(field.Name, field);
            }

            return names;
        });

    public static bool IsIntOrString(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && field.MessageType.FullName == "google.protobuf.Value";

    public static bool IsStruct(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && field.MessageType.FullName == "google.protobuf.Struct";

    public static bool IsTimestamp(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && field.MessageType.FullName == "google.protobuf.Timestamp";
}
