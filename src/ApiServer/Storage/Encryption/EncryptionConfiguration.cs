using KubeMesh.Api.Resources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeMesh.ApiServer.Storage.Encryption;

/// <summary>
/// kube-apiserver's EncryptionConfiguration (apiserver.config.k8s.io/v1), with the aesgcm and identity providers: for
/// each group of resources, the first provider writes and every provider listed reads. Keys are base64.
/// </summary>
public static class EncryptionConfiguration
{
    /// <exception cref="InvalidOperationException">Naming the file and the field that is wrong.</exception>
    public static StorageTransformers Load(string path)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode ?? throw Invalid(path, "", "not a mapping");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            throw Invalid(path, "", e.Message);
        }

        if (Scalar(root, "kind") != "EncryptionConfiguration")
        {
            throw Invalid(path, "kind", "must be EncryptionConfiguration");
        }

        var rules = new List<(IReadOnlyList<string> Resources, ResourceTransformer Transformer)>();
        var entries = Sequence(root, "resources") ?? throw Invalid(path, "resources", "required");
        for (var i = 0; i < entries.Children.Count; i++)
        {
            var entry = entries.Children[i] as YamlMappingNode ?? throw Invalid(path, $"resources[{i}]", "must be a mapping");
            var resources = Sequence(entry, "resources")?.OfType<YamlScalarNode>().Select(n => n.Value!).ToArray();
            if (resources is not { Length: > 0 })
            {
                throw Invalid(path, $"resources[{i}].resources", "required");
            }

            var providers = Sequence(entry, "providers") ?? throw Invalid(path, $"resources[{i}].providers", "required");
            rules.Add((resources, Providers(path, $"resources[{i}].providers", providers)));
        }

        return new StorageTransformers(rules);
    }

    private static ResourceTransformer Providers(string path, string field, YamlSequenceNode providers)
    {
        var list = new List<AesGcmTransformer?>();
        for (var i = 0; i < providers.Children.Count; i++)
        {
            var provider = providers.Children[i] as YamlMappingNode;
            if (provider?.Children.Count != 1)
            {
                throw Invalid(path, $"{field}[{i}]", "must name exactly one provider (aesgcm or identity)");
            }

            var (name, settings) = provider.Children.Single();
            switch (((YamlScalarNode)name).Value)
            {
                case "identity":
                    list.Add(null);
                    break;
                case "aesgcm":
                    var keys = (settings is YamlMappingNode m ? Sequence(m, "keys") : null) ?? throw Invalid(path, $"{field}[{i}].aesgcm.keys", "required");
                    list.Add(new AesGcmTransformer([.. keys.Select((k, j) => Key(path, $"{field}[{i}].aesgcm.keys[{j}]", k))]));
                    break;
                default:
                    throw Invalid(path, $"{field}[{i}]", $"unsupported provider \"{((YamlScalarNode)name).Value}\": aesgcm or identity");
            }
        }

        return list.Count == 0 ? throw Invalid(path, field, "required") : new ResourceTransformer(list);
    }

    private static (string, byte[]) Key(string path, string field, YamlNode node)
    {
        var key = node as YamlMappingNode;
        var name = key is null ? null : Scalar(key, "name");
        var secret = key is null ? null : Scalar(key, "secret");
        if (string.IsNullOrEmpty(name) || name.Contains(':', StringComparison.Ordinal))
        {
            throw Invalid(path, field + ".name", "required, without ':'");
        }

        try
        {
            var bytes = Convert.FromBase64String(secret ?? "");
            return bytes.Length is 16 or 24 or 32 ? (name, bytes) : throw Invalid(path, field + ".secret", "must be 16, 24 or 32 bytes, base64");
        }
        catch (FormatException)
        {
            throw Invalid(path, field + ".secret", "not base64");
        }
    }

    private static InvalidOperationException Invalid(string path, string field, string problem) =>
        new($"encryption provider config {path}: {field}{(field.Length > 0 ? ": " : "")}{problem}");

    private static YamlSequenceNode? Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlSequenceNode : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;
}
