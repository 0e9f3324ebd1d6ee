using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// Objects between their stored protobuf form and Kubernetes JSON, through the same serialization manifests use:
/// the field names, int-or-string, quantities, timestamps and base64 Secret data of the API.
/// </summary>
public static class RestObjects
{
    public static JsonObject Encode(IMessage obj) => ManifestEncoder.ToJsonNode(obj);

    /// <summary>A list as kube-apiserver answers one: PodList with metadata.resourceVersion, where a watch resumes.</summary>
    public static JsonObject EncodeList(ResourceKind kind, IEnumerable<IMessage> items, long revision) => new()
    {
        ["kind"] = kind.ListDescriptor.Name,
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = Revision(revision) },
        ["items"] = new JsonArray(items.Select(i => (JsonNode)Encode(i)).ToArray()),
    };

    /// <summary>
    /// Decodes a request body as the kind, or throws BadRequest worded as kube's decoder is:
    /// `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
    /// </summary>
    public static DecodedObject Decode(ResourceKind kind, JsonNode body, UnknownFieldPolicy policy)
    {
        if (body is not JsonObject obj)
        {
            throw CannotHandle(kind, "the body must be a JSON object");
        }

        try
        {
            return ObjectDecoder.Decode(obj, kind, policy);
        }
        catch (ManifestException ex)
        {
            throw CannotHandle(kind, string.Join(", ", ex.Errors));
        }
    }

    public static string Revision(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private static RestException CannotHandle(ResourceKind kind, string why) =>
        RestException.BadRequest($"{kind.Kind} in version \"{kind.Version}\" cannot be handled as a {kind.Kind}: {why}");
}
