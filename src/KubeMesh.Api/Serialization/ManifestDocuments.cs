using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Splits a manifest into documents and turns each into a JSON tree, within Kubernetes' limits: at most
/// <see cref="ApiLimits.MaxRequestBytes"/> of text, nesting at most <see cref="ApiLimits.MaxNestingDepth"/> deep,
/// and YAML aliases that neither contain themselves nor expand without bound. Whatever the text, this returns or
/// throws a <see cref="ManifestException"/> naming the problem; it never recurses as deep as the text nests.
/// </summary>
public static class ManifestDocuments
{
    public static IReadOnlyList<JsonNode?> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > ApiLimits.MaxRequestBytes)
        {
            throw new ManifestException([TooLarge(bytes)]);
        }

        return text.TrimStart().StartsWith('{') ? ReadJson(text) : ReadYaml(text);
    }

    /// <summary>The error for a manifest of <paramref name="bytes"/> bytes (null: unknown), more than a request may carry.</summary>
    public static FieldError TooLarge(long? bytes) =>
        new("", $"manifest too large: {(bytes is { } n ? $"{n} bytes, " : "")}more than the {ApiLimits.MaxRequestBytes} bytes (3 MiB) a request may carry");

    private static IReadOnlyList<JsonNode?> ReadJson(string text)
    {
        try
        {
            return [JsonTreeReader.Read(text)];
        }
        catch (JsonException e)
        {
            throw new ManifestException([new FieldError("", $"json: {e.Message}")]);
        }
    }

    private static IReadOnlyList<JsonNode?> ReadYaml(string text)
    {
        try
        {
            return YamlTreeReader.Read(text);
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new ManifestException([new FieldError("", $"yaml: line {e.Start.Line}, column {e.Start.Column}: {reason}")]);
        }
    }
}
