using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// Splits a manifest into documents and turns each into a JSON tree. YAML is read with YamlDotNet's
/// representation model so that quoted and plain scalars stay apart: plain <c>80</c> is a number,
/// <c>"80"</c> a string, exactly as a YAML-to-JSON conversion in kubectl would have it.
/// </summary>
internal static class ManifestDocuments
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static IReadOnlyList<JsonNode?> Read(string text, List<ManifestError> errors)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') ? ReadJson(text, errors) : ReadYaml(text, errors);
    }

    private static IReadOnlyList<JsonNode?> ReadJson(string text, List<ManifestError> errors)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                AllowDuplicateProperties = false,
            });
            return [node];
        }
        catch (JsonException e)
        {
            errors.Add(new ManifestError(null, new FieldError("", $"json: {e.Message}")));
            return [];
        }
    }

    private static IReadOnlyList<JsonNode?> ReadYaml(string text, List<ManifestError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            errors.Add(new ManifestError(null, new FieldError("", $"yaml: line {e.Start.Line}, column {e.Start.Column}: {reason}")));
            return [];
        }
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
                    if (!obj.TryAdd(name, Convert(value)))
                    {
                        throw new YamlException(key.Start, key.End, $"mapping key \"{name}\" already defined");
                    }
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(Convert).ToArray());
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Tag.IsEmpty ? scalar.Style is not ScalarStyle.Plain : scalar.Tag.Value == StringTag)
                {
                    return JsonValue.Create(text);
                }

                return YamlScalars.FromPlain(text);
            default:
                return null;
        }
    }
}
