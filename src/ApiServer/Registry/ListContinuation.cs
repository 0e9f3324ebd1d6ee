using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace KubeMesh.ApiServer.Registry;

/// <summary>One page of a list: its objects, the revision every page of the list is read at, and where the next page starts.</summary>
/// <param name="Continue">The token for the next page; empty on the last.</param>
/// <param name="RemainingItemCount">How many objects the later pages hold, when no selector narrows the list (as kube sets it).</param>
public sealed record ListPage(IReadOnlyList<IMessage> Items, long Revision, string Continue, long? RemainingItemCount);

/// <summary>
/// A list's continue token, encoded as kube-apiserver encodes it (storage.EncodeContinue): unpadded base64url of
/// {"v":"meta.k8s.io/v1","rv":revision,"start":key}. The next page is read at the first page's revision from its
/// first key on, so the pages together are one consistent list; rv below zero asks for the newest state instead
/// (kube's inconsistent continuation).
/// </summary>
public sealed record ListContinuation(long Revision, string Start)
{
    private const string Version = "meta.k8s.io/v1";

    public string Encode()
    {
        var json = new JsonObject { ["v"] = Version, ["rv"] = Revision, ["start"] = Start }.ToJsonString();
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }

    /// <exception cref="ApiException">BadRequest: the token is not one this server hands out.</exception>
    public static ListContinuation Parse(string token)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(Base64Url.DecodeFromChars(token.TrimEnd('='))) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw Invalid("it is not base64url-encoded JSON");
        }

        if (json?["v"]?.GetValueKind() != JsonValueKind.String || (string?)json["v"] != Version)
        {
            throw Invalid($"continue key is not valid: incorrect encoded start resourceVersion (version {Version})");
        }

        if (json["rv"] is not JsonValue rv || rv.GetValueKind() != JsonValueKind.Number || !rv.TryGetValue<long>(out var revision) || revision == 0)
        {
            throw Invalid($"continue key is not valid: incorrect encoded start resourceVersion (version {Version})");
        }

        if (json["start"] is not JsonValue start || start.GetValueKind() != JsonValueKind.String || ((string?)start)!.Length == 0)
        {
            throw Invalid("continue key is not valid: encoded start key empty");
        }

        return new ListContinuation(revision, (string)start!);
    }

    private static ApiException Invalid(string why) => ApiErrors.BadRequest($"invalid continue token: {why}");
}
