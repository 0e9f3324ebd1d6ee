using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeMesh.Kmctl.Manifests;

/// <summary>
/// Which object each document of a manifest names (kind, namespace, name), read without typing the whole object:
/// what delete -f needs, and the first check apply makes before anything is sent.
/// </summary>
public sealed record ManifestIdentity(ResourceKind Kind, string Namespace, string Name, int Document)
{
    public static IReadOnlyList<ManifestIdentity> Read(ManifestSource source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(source.Text));
        }
        catch (YamlException ex)
        {
            throw new CommandException($"error: error parsing {source.Name}: {ex.Message}");
        }

        List<ManifestIdentity> found = [];
        var index = 0;
        foreach (var document in stream.Documents)
        {
            index++;
            if (document.RootNode is not YamlMappingNode root || root.Children.Count == 0)
            {
                continue;
            }

            if (Scalar(root, "kind") is "List" && root.Children.TryGetValue(new YamlScalarNode("items"), out var items) && items is YamlSequenceNode sequence)
            {
                found.AddRange(sequence.Children.OfType<YamlMappingNode>().Select(item => Identify(source, item, index)));
            }
            else
            {
                found.Add(Identify(source, root, index));
            }
        }

        return found;
    }

    private static ManifestIdentity Identify(ManifestSource source, YamlMappingNode node, int document)
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
        var metadata = node.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) ? m as YamlMappingNode : null;
        var name = metadata is null ? null : Scalar(metadata, "name");
        return new ManifestIdentity(kind, metadata is null ? "" : Scalar(metadata, "namespace") ?? "", name ?? "", document);
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;
}
