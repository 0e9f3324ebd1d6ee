using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Client;

/// <summary>
/// The cache and work-queue key of an object, as client-go's MetaNamespaceKeyFunc builds it: "namespace/name",
/// or just "name" for cluster-scoped objects.
/// </summary>
public static class MetaNamespaceKey
{
    public static string For(ObjectMeta metadata) => For(metadata.Namespace, metadata.Name);

    public static string For(string? @namespace, string name) =>
        string.IsNullOrEmpty(@namespace) ? name : $"{@namespace}/{name}";

    /// <exception cref="FormatException">The key has more than one '/'.</exception>
    public static (string Namespace, string Name) Split(string key)
    {
        var parts = key.Split('/');
        return parts.Length switch
        {
            1 => ("", parts[0]),
            2 => (parts[0], parts[1]),
            _ => throw new FormatException($"unexpected key format: \"{key}\""),
        };
    }
}
