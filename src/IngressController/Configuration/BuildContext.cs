using KubeMesh.Api.Networking.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>What one build reads (the caches and the ConfigMap's settings) and collects on the way.</summary>
internal sealed class BuildContext(IngressState state, GlobalSettings global)
{
    public IngressState State { get; } = state;

    public GlobalSettings Global { get; } = global;

    /// <summary>"namespace/name" of the services, endpoints and secrets the configuration depends on.</summary>
    public HashSet<string> Referenced { get; } = new(StringComparer.Ordinal);

    public List<string> Warnings { get; } = [];

    public void Warn(Ingress ingress, string message) =>
        Warnings.Add($"{ingress.Metadata.Namespace}/{ingress.Metadata.Name}: {message}");
}
