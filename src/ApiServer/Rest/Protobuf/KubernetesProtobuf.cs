using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Rest.Protobuf;

/// <summary>
/// Reads a body in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), which client-go's typed
/// clients send (kubectl create configmap, secret, deployment), into the object's Kubernetes JSON: the "k8s\0"
/// magic, a runtime.Unknown envelope naming apiVersion and kind, and the object in the field numbers of
/// kubernetes-api.fields. Go writes every non-pointer field, so zero values the API's own field would not keep are
/// dropped, like fields the API does not have that carry nothing; Quantity, IntOrString, Time and RawExtension
/// become their JSON forms.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    private const int MaxDepth = 64;
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    /// <exception cref="RestException">Not a Kubernetes protobuf body, or of a kind it cannot read.</exception>
    public static JsonObject ToJson(ReadOnlyMemory<byte> body)
    {
        if (body.Length < Magic.Length || !body.Span[..Magic.Length].SequenceEqual(Magic))
        {
            throw RestException.BadRequest("the protobuf body does not start with the Kubernetes magic number \"k8s\\x00\"");
        }

        try
        {
            var (apiVersion, kind, raw) = Envelope(body[Magic.Length..]);
            var message = KubernetesSchema.ForKind(apiVersion, kind)
                ?? throw RestException.UnsupportedMediaType($"{MediaType} for {apiVersion}, Kind={kind}");
            var ours = ResourceKinds.Find(apiVersion, kind)?.Descriptor;
            var json = Message(raw, message, ours, 0);
            json.Remove("apiVersion");
            json.Remove("kind");
            return new JsonObject(new[] { KeyValuePair.Create<string, JsonNode?>("apiVersion", apiVersion), KeyValuePair.Create<string, JsonNode?>("kind", kind) }
                .Concat(json.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw RestException.BadRequest($"the protobuf body is malformed: {ex.Message}");
        }
    }

    /// <summary>runtime.Unknown: typeMeta (apiVersion 1, kind 2) 1, raw 2, contentEncoding 3, contentType 4.</summary>
    private static (string ApiVersion, string Kind, ReadOnlyMemory<byte> Raw) Envelope(ReadOnlyMemory<byte> data)
    {
        string apiVersion = "", kind = "", encoding = "";
        ReadOnlyMemory<byte> raw = default;
        var input = new CodedInputStream(data.ToArray());
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    var typeMeta = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (typeMeta.ReadTag() is var t && t != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(t))
                        {
                            case 1: apiVersion = typeMeta.ReadString(); break;
                            case 2: kind = typeMeta.ReadString(); break;
                            default: typeMeta.SkipLastField(); break;
                        }
                    }

                    break;
                case 2:
                    raw = input.ReadBytes().Memory;
                    break;
                case 3:
                    encoding = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (encoding.Length > 0)
        {
            throw RestException.UnsupportedMediaType($"{MediaType} with content encoding {encoding}");
        }

        return (apiVersion, kind, raw);
    }

    private static JsonObject Message(ReadOnlyMemory<byte> data, KubernetesMessage message, MessageDescriptor? ours, int depth)
    {
        if (depth > MaxDepth)
        {
            throw RestException.BadRequest($"the protobuf body nests deeper than {MaxDepth} messages");
        }

        var json = new JsonObject();
        var input = new CodedInputStream(data.ToArray());
        while (input.ReadTag() is var tag && tag != 0)
        {
            if (!message.Fields.TryGetValue(WireFormat.GetTagFieldNumber(tag), out var field))
            {
                // A field newer than the known definitions: the server does not read it, as kube-apiserver would not.
                input.SkipLastField();
                continue;
            }

            var ourField = ours?.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == field.Name);
            if (field.IsMap)
            {
                var map = json[field.Name] as JsonObject ?? [];
                var (key, value) = MapEntry(input.ReadBytes().Memory, field, ourField, depth);
                map[key] = value;
                json[field.Name] = map;
            }
            else if (field.Repeated)
            {
                var list = json[field.Name] as JsonArray ?? [];
                var itemType = ourField?.FieldType == FieldType.Message ? ourField.MessageType : null;
                if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && IsPacked(field.Type))
                {
                    var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!packed.IsAtEnd)
                    {
                        list.Add(Scalar(packed, field.Type));
                    }
                }
                else
                {
                    list.Add(Value(input, field.Type, itemType, depth));
                }

                json[field.Name] = list;
            }
            else
            {
                json[field.Name] = Value(input, field.Type, ourField?.FieldType == FieldType.Message ? ourField.MessageType : null, depth);
            }
        }

        foreach (var (name, value) in json.ToList())
        {
            var ourField = ours?.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);
            // Kept empty only where the API tells present from absent (an optional scalar, a message: emptyDir: {}).
            if (IsEmpty(value) && (ourField is null || value is null || ourField.IsRepeated || !ourField.HasPresence))
            {
                json.Remove(name);
            }
        }

        return json;
    }

    private static (string Key, JsonNode? Value) MapEntry(ReadOnlyMemory<byte> data, KubernetesField field, FieldDescriptor? ourField, int depth)
    {
        var input = new CodedInputStream(data.ToArray());
        var key = "";
        JsonNode? value = field.MapValueType == "string" ? "" : null;
        var valueType = ourField?.IsMap == true && ourField.MessageType.FindFieldByNumber(2) is { FieldType: FieldType.Message } v ? v.MessageType : null;
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = Scalar(input, field.Type)?.ToString() ?? ""; break;
                case 2: value = Value(input, field.MapValueType!, valueType, depth); break;
                default: input.SkipLastField(); break;
            }
        }

        return (key, value);
    }

    private static JsonNode? Value(CodedInputStream input, string type, MessageDescriptor? ours, int depth)
    {
        if (!type.Contains('.', StringComparison.Ordinal))
        {
            return Scalar(input, type);
        }

        var bytes = input.ReadBytes().Memory;
        return type switch
        {
            "k8s.io.apimachinery.pkg.apis.meta.v1.Time" => Time(bytes, micro: false),
            "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => Time(bytes, micro: true),
            "k8s.io.apimachinery.pkg.api.resource.Quantity" => StringField(bytes, 1),
            "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => IntOrString(bytes),
            "k8s.io.apimachinery.pkg.runtime.RawExtension" => RawExtension(bytes),
            _ when KubernetesSchema.Find(type) is { } message => Message(bytes, message, ours, depth + 1),
            // A message this server has no definition of (an alpha API): something was sent, unreadable here.
            _ => bytes.IsEmpty ? null : new JsonObject { ["unreadable"] = true },
        };
    }

    private static JsonNode? Scalar(CodedInputStream input, string type) => type switch
    {
        "string" => input.ReadString(),
        "bytes" => Convert.ToBase64String(input.ReadBytes().Span),
        "bool" => input.ReadBool(),
        "int32" => input.ReadInt32(),
        "int64" => input.ReadInt64(),
        "uint32" => input.ReadUInt32(),
        "uint64" => input.ReadUInt64(),
        "sint32" => input.ReadSInt32(),
        "sint64" => input.ReadSInt64(),
        "double" => input.ReadDouble(),
        "float" => input.ReadFloat(),
        "fixed32" => input.ReadFixed32(),
        "fixed64" => input.ReadFixed64(),
        _ => throw RestException.BadRequest($"the protobuf definitions name an unknown scalar type {type}"),
    };

    private static bool IsPacked(string type) => type is "bool" or "int32" or "int64" or "uint32" or "uint64" or "sint32" or "sint64" or "double" or "float" or "fixed32" or "fixed64";

    /// <summary>metav1.Time {seconds 1, nanos 2}; the zero time is JSON null, as Go writes it.</summary>
    private static JsonNode? Time(ReadOnlyMemory<byte> data, bool micro)
    {
        long seconds = 0;
        int nanos = 0;
        var input = new CodedInputStream(data.ToArray());
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: seconds = input.ReadInt64(); break;
                case 2: nanos = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }

        if (seconds == 0 && nanos == 0)
        {
            return null;
        }

        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
        return time.ToString(micro ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>intstr.IntOrString {type 1 (0 int, 1 string), intVal 2, strVal 3}.</summary>
    private static JsonNode IntOrString(ReadOnlyMemory<byte> data)
    {
        long type = 0;
        var number = 0;
        var text = "";
        var input = new CodedInputStream(data.ToArray());
        while (input.ReadTag() is var tag && tag != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: type = input.ReadInt64(); break;
                case 2: number = input.ReadInt32(); break;
                case 3: text = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return type == 1 ? JsonValue.Create(text) : JsonValue.Create(number);
    }

    /// <summary>runtime.RawExtension {raw 1}: JSON bytes of an embedded object.</summary>
    private static JsonNode? RawExtension(ReadOnlyMemory<byte> data)
    {
        var raw = StringField(data, 1);
        try
        {
            return raw is null ? null : JsonNode.Parse((string)raw!, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw RestException.BadRequest($"an embedded object is not JSON: {ex.Message}");
        }
    }

    private static JsonNode? StringField(ReadOnlyMemory<byte> data, int number)
    {
        var input = new CodedInputStream(data.ToArray());
        JsonNode? result = null;
        while (input.ReadTag() is var tag && tag != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number)
            {
                result = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return result;
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject obj => obj.Count == 0,
        JsonArray array => array.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False => true,
            JsonValueKind.Number => v.ToJsonString() is "0" or "0.0",
            _ => false,
        },
        _ => false,
    };
}
