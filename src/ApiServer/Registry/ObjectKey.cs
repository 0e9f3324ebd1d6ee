using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Registry;

/// <summary>Where an object lives: its namespace (empty for cluster-scoped kinds) and name.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public string Field => StoreKeys.Field(Namespace, Name);

    public static ObjectKey Of(ResourceKind kind, ObjectMeta meta) => new(kind.Namespaced ? meta.Namespace : "", meta.Name);

    public static ObjectKey Of(ResourceKind kind, string? ns, string name) =>
        new(kind.Namespaced ? (string.IsNullOrEmpty(ns) ? "default" : ns) : "", name);

    public string Describe(ResourceKind kind) => $"{kind.Plural} \"{Name}\"";
}
