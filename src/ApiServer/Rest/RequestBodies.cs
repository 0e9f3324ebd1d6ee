using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Rest.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// Reads request bodies within kube-apiserver's limits: at most 3 MiB (413 beyond), JSON nested at most 64 deep
/// (400 beyond), so no body can exhaust the server's memory or stack.
/// </summary>
public static class RequestBodies
{
    public const int MaxBytes = 3 * 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>The body's media type without parameters, lower-cased; "" when none was sent.</summary>
    public static string MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() ?? "" : "";

    /// <summary>
    /// A JSON body (application/json, or no Content-Type, as kubectl sends a Scale), or a Kubernetes protobuf one
    /// (kubectl's typed clients) read into its JSON form, at most 3 MiB.
    /// </summary>
    public static async Task<JsonNode> ReadJsonAsync(HttpContext context, params string[] mediaTypes) =>
        await ReadOptionalJsonAsync(context, mediaTypes) ?? throw RestException.BadRequest("the request body is empty");

    /// <summary>As <see cref="ReadJsonAsync"/>, but null for an empty body (a DELETE without DeleteOptions).</summary>
    public static async Task<JsonNode?> ReadOptionalJsonAsync(HttpContext context, params string[] mediaTypes)
    {
        var type = MediaType(context.Request);
        if (type.Length > 0 && type != RestResponses.Json && type != KubernetesProtobuf.MediaType && !mediaTypes.Contains(type))
        {
            throw RestException.UnsupportedMediaType(context.Request.ContentType ?? "");
        }

        var bytes = await ReadAsync(context);
        if (bytes.Length == 0)
        {
            return null;
        }

        return type == KubernetesProtobuf.MediaType
            ? KubernetesProtobuf.ToJson(bytes)
            : JsonNode.Parse(bytes, documentOptions: Options) ?? throw RestException.BadRequest("the request body is null");
    }

    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw RestException.TooLarge(MaxBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes + 1L;
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
}
