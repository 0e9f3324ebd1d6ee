using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>Writes API answers: compact JSON as kube-apiserver sends it, and Warning headers kubectl prints.</summary>
public static class RestResponses
{
    public const string Json = "application/json";

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int code, JsonNode body, string contentType = Json)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Bytes(body), context.RequestAborted);
    }

    /// <summary>One JSON document and a newline, as a watch event is framed.</summary>
    public static byte[] Bytes(JsonNode body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Compact);
        Array.Resize(ref bytes, bytes.Length + 1);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>RFC 7234 warning code 299, which kubectl prints as "Warning: TEXT".</summary>
    public static void AddWarning(HttpContext context, string text) =>
        context.Response.Headers.Append("Warning", $"299 - \"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
}
