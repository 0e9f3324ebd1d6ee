using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Storage.Encryption;

/// <summary>
/// Which transformer each resource's values pass through on their way to and from the store (kube-apiserver's
/// storage value transformers); resources no rule names are stored as they are.
/// </summary>
public sealed class StorageTransformers(IReadOnlyList<(IReadOnlyList<string> Resources, ResourceTransformer Transformer)> rules)
{
    public static readonly StorageTransformers Identity = new([]);

    public ResourceTransformer? For(ResourceKind kind) =>
        rules.FirstOrDefault(r => r.Resources.Any(name => name == kind.GroupResource || name == "*." + kind.Group || name == "*.*")).Transformer;
}
