using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>What the configuration is built from: the informers' caches at one moment.</summary>
internal sealed record IngressState(
    IReadOnlyList<Ingress> Ingresses,
    Func<string, string, Service?> GetService,
    Func<string, string, Endpoints?> GetEndpoints,
    Func<string, string, Secret?> GetSecret,
    ConfigMap? ConfigMap);
