using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Rest.Discovery;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>A resource request resolved to the kind the registry serves, with its namespace ("" for cluster-scoped kinds).</summary>
public sealed record ResourceRequest(ServedResource Resource, RequestInfo Info)
{
    public ResourceKind Kind => Resource.Kind;

    public string Namespace => Kind.Namespaced ? Info.Namespace : "";

    public string Name => Info.Name;
}
