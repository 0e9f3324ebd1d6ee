using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry.Allocation;

namespace KubeMesh.ApiServer.Registry.Strategies;

public sealed class ResourceStrategies
{
    private readonly Dictionary<ResourceKind, ResourceStrategy> _byKind;

    public ResourceStrategies(ServiceAllocators allocators, NamespaceCache namespaces)
    {
        Namespaces = new NamespaceStrategy(namespaces);
        ResourceStrategy[] special = [new PodStrategy(), Namespaces, new NodeStrategy(), new SecretStrategy(), new PersistentVolumeClaimStrategy(), new ServiceStrategy(allocators)];
        _byKind = ResourceKinds.All.ToDictionary(k => k, k => special.FirstOrDefault(s => s.Kind == k) ?? new ResourceStrategy(k));
    }

    /// <summary>The namespace rules other kinds' creates go through as well.</summary>
    public NamespaceStrategy Namespaces { get; }

    public ResourceStrategy For(ResourceKind kind) => _byKind[kind];
}
