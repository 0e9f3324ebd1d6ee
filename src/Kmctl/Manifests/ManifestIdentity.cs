using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Manifests;

/// <summary>
/// Which object each document of a manifest names (kind, namespace, name), read without typing the whole object:
/// what delete -f needs, and the first check apply makes before anything is sent. The documents are read as the
/// api-server reads them, within the same limits.
/// </summary>
public sealed record ManifestIdentity(ResourceKind Kind, string Namespace, string Name, int Document)
{
    public static IReadOnlyList<ManifestIdentity> Read(ManifestSource source)
    {
        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = ManifestDocuments.Read(source.Text);
        }
        catch (ManifestException ex)
        {
            throw new CommandException($"error: error parsing {source.Name}: {ex.Message}");
        }

        List<ManifestIdentity> found = [];
        for (var index = 1; index <= documents.Count; index++)
        {
            if (documents[index - 1] is not JsonObject root || root.Count == 0)
            {
                continue;
            }

            if (Scalar(root, "kind") is "List" && root["items"] is JsonArray items)
            {
                found.AddRange(items.OfType<JsonObject>().Select(item => Identify(source, item, index)));
            }
            else
            {
                found.Add(Identify(source, root, index));
            }
        }

        return found;
    }

    private static ManifestIdentity Identify(ManifestSource source, JsonObject node, int document)
    {
        var apiVersion = Scalar(node, "apiVersion");
        var kindName = Scalar(node, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kindName))
        {
            var missing = string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind";
            throw new CommandException($"error: error validating \"{source.Name}\": error validating data: {missing} not set");
        }

        var kind = ResourceKinds.Find(apiVersion, kindName)
            ?? throw new CommandException($"error: resource mapping not found for kind \"{kindName}\" in version \"{apiVersion}\" in \"{source.Name}\" (document {document})");
        var metadata = node["metadata"] as JsonObject;
        var name = metadata is null ? null : Scalar(metadata, "name");
        return new ManifestIdentity(kind, metadata is null ? "" : Scalar(metadata, "namespace") ?? "", name ?? "", document);
    }

    /// <summary>A field's value as the text YAML wrote it: strings as they are, numbers and booleans as written.</summary>
    private static string? Scalar(JsonObject node, string key) => node[key] switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}
