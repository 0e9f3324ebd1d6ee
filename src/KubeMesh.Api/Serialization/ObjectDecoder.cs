using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Decodes one object of a known kind from its Kubernetes JSON form (a request body), with the same field names,
/// shapes and checks as manifests: wrong shapes are always errors, unknown fields as <see cref="UnknownFieldPolicy"/>
/// says. The type fields may be left out; when present they must name the kind.
/// </summary>
public static class ObjectDecoder
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <exception cref="ManifestException">The object does not fit the kind; every problem is listed.</exception>
    public static DecodedObject Decode(JsonObject json, ResourceKind kind, UnknownFieldPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return Decode(json, kind.Descriptor, kind.ApiVersion, kind.Kind, policy);
    }

    /// <summary>As for a kind, for a message that is not stored (a pod's Binding).</summary>
    /// <exception cref="ManifestException">The object does not fit the message; every problem is listed.</exception>
    public static DecodedObject Decode(JsonObject json, MessageDescriptor descriptor, string apiVersion, string kind, UnknownFieldPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(descriptor);
        var errors = new List<FieldError>();
        var unknown = new List<FieldError>();
        CheckType(json, "apiVersion", apiVersion, errors);
        CheckType(json, "kind", kind, errors);
        var normalized = new ManifestNormalizer(errors, unknown).Message(json, descriptor, "");
        var unknownFields = unknown.Select(Describe).ToList();
        if (policy == UnknownFieldPolicy.Strict && unknownFields.Count > 0)
        {
            errors.Add(new FieldError("", "strict decoding error: " + string.Join(", ", unknownFields)));
        }

        IMessage? message = null;
        if (errors.Count == 0)
        {
            try
            {
                message = Parser.Parse(normalized.ToJsonString(), descriptor);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
            {
                errors.Add(new FieldError("", e.Message));
            }
        }

        if (errors.Count > 0 || message is null)
        {
            throw new ManifestException(errors);
        }

        return new DecodedObject(message, policy == UnknownFieldPolicy.Warn ? unknownFields : []);
    }

    private static void CheckType(JsonObject json, string field, string expected, List<FieldError> errors)
    {
        switch (json[field])
        {
            case null:
                return;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var actual:
                if (actual.Length > 0 && actual != expected)
                {
                    errors.Add(FieldError.Invalid(field, actual, $"must be \"{expected}\" here"));
                }

                return;
            default:
                errors.Add(new FieldError(field, "wrong type: expected a string"));
                return;
        }
    }

    /// <summary>Kubernetes' wording, `unknown field "spec.foo"`, keeping the hint where the field belongs.</summary>
    private static string Describe(FieldError error)
    {
        var hint = error.Message.IndexOf(';', StringComparison.Ordinal);
        return $"unknown field \"{error.Path}\"" + (hint < 0 ? "" : error.Message[hint..]);
    }
}
