using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMesh.Api;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Rest.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// Reads request bodies within kube-apiserver's limits: at most <see cref="ApiLimits.MaxRequestBytes"/> (413
/// beyond), nested at most <see cref="MaxDepth"/> deep (400 beyond), in JSON, YAML or Kubernetes protobuf, so no
/// body can exhaust the server's memory or stack; whatever is malformed is a 400 naming the problem.
/// </summary>
public static class RequestBodies
{
    public const int MaxBytes = ApiLimits.MaxRequestBytes;

    /// <summary>
    /// How deep a body may nest: protobuf's own limit, which every object of a served kind fits within (no kind's
    /// schema nests near it). The patch and conversion code walk a body by recursion; this bounds how deep.
    /// </summary>
    public const int MaxDepth = 100;

    public const string Yaml = "application/yaml";

    /// <summary>How much of a refused body is read and dropped before the connection ends (see <see cref="DiscardAsync"/>).</summary>
    private const long MaxDiscardBytes = 4L * ApiLimits.MaxRequestBytes;

    private static readonly TimeSpan DiscardTime = TimeSpan.FromSeconds(10);

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>The body's media type without parameters, lower-cased; "" when none was sent.</summary>
    public static string MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() ?? "" : "";

    /// <summary>
    /// A JSON body (application/json, or no Content-Type, as kubectl sends a Scale), a YAML one, or a Kubernetes
    /// protobuf one (kubectl's typed clients) read into its JSON form.
    /// </summary>
    public static async Task<JsonNode> ReadJsonAsync(HttpContext context, params string[] mediaTypes) =>
        await ReadOptionalJsonAsync(context, mediaTypes) ?? throw RestException.BadRequest("the request body is empty");

    /// <summary>
    /// The body as a <paramref name="kind"/> of <paramref name="apiVersion"/>, what a subresource such as pods/binding
    /// or serviceaccounts/token is sent; anything else is a 400 saying why.
    /// </summary>
    public static async Task<T> ReadSubresourceAsync<T>(HttpContext context, Google.Protobuf.Reflection.MessageDescriptor descriptor, string apiVersion, string kind, UnknownFieldPolicy policy)
        where T : Google.Protobuf.IMessage
    {
        if (await ReadJsonAsync(context) is not JsonObject body)
        {
            throw RestException.BadRequest($"{kind} in version \"v1\" cannot be handled as a {kind}: the body must be a JSON object");
        }

        try
        {
            return (T)ObjectDecoder.Decode(body, descriptor, apiVersion, kind, policy).Object;
        }
        catch (ManifestException ex)
        {
            throw RestException.BadRequest($"{kind} in version \"v1\" cannot be handled as a {kind}: {string.Join(", ", ex.Errors)}");
        }
    }

    /// <summary>As <see cref="ReadJsonAsync"/>, but null for an empty body (a DELETE without DeleteOptions).</summary>
    public static async Task<JsonNode?> ReadOptionalJsonAsync(HttpContext context, params string[] mediaTypes)
    {
        var type = MediaType(context.Request);
        if (type.Length > 0 && type != RestResponses.Json && type != Yaml && type != KubernetesProtobuf.MediaType && !mediaTypes.Contains(type))
        {
            throw RestException.UnsupportedMediaType(context.Request.ContentType ?? "");
        }

        var bytes = await ReadAsync(context);
        if (bytes.Length == 0)
        {
            return null;
        }

        return type switch
        {
            KubernetesProtobuf.MediaType => KubernetesProtobuf.ToJson(bytes),
            _ when type.EndsWith("yaml", StringComparison.Ordinal) => ParseYaml(bytes),
            _ => JsonNode.Parse(bytes, documentOptions: Options) ?? throw RestException.BadRequest("the request body is null"),
        };
    }

    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        // The limit is held here, not by Kestrel: past it, the rest of the body is still read and dropped
        // (DiscardAsync), so that the client gets the 413 instead of a reset connection.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        if (context.Request.ContentLength > MaxBytes)
        {
            throw RestException.TooLarge(MaxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw RestException.TooLarge(MaxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// After a 413 over HTTP/1.1 the client may still be sending the body it announced, and the answer says
    /// "Connection: close". Closing the connection while its bytes are still arriving makes TCP reset it, and the
    /// reset drops the Status before the client reads it; so, as nginx's lingering close and Go's net/http do, the
    /// rest is read and dropped: up to <see cref="MaxDiscardBytes"/> within <see cref="DiscardTime"/>, past which
    /// the connection is closed anyway. (HTTP/2 ends just the stream, leaving the connection as it is.)
    /// </summary>
    public static async Task DiscardAsync(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Request.ContentLength > MaxDiscardBytes)
        {
            return;
        }

        using var linger = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        linger.CancelAfter(DiscardTime);
        var chunk = new byte[16 * 1024];
        long total = 0;
        try
        {
            int read;
            while (total <= MaxDiscardBytes && (read = await context.Request.Body.ReadAsync(chunk, linger.Token)) > 0)
            {
                total += read;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // Too slow, gone, or a broken body: the connection closes as it is.
        }
    }

    /// <summary>One YAML document, read as manifests are (bounded, never by recursion), then held to <see cref="MaxDepth"/>.</summary>
    private static JsonNode ParseYaml(byte[] bytes)
    {
        var documents = ManifestDocuments.Read(Encoding.UTF8.GetString(bytes)).Where(d => d is not null).ToList();
        if (documents is not [{ } document])
        {
            throw RestException.BadRequest($"the request body must be one YAML document, not {documents.Count}");
        }

        var depth = Depth(document);
        return depth <= MaxDepth ? document : throw RestException.BadRequest($"the request body nests {depth} levels deep, more than the {MaxDepth} allowed");
    }

    /// <summary>How deep a tree nests, measured without recursion.</summary>
    private static int Depth(JsonNode root)
    {
        var deepest = 0;
        var pending = new Stack<(JsonNode Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.TryPop(out var item))
        {
            deepest = Math.Max(deepest, item.Depth);
            var children = item.Node switch
            {
                JsonObject map => map.Select(p => p.Value),
                JsonArray list => list,
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is JsonObject or JsonArray)
                {
                    pending.Push((child, item.Depth + 1));
                }
            }
        }

        return deepest;
    }
}
