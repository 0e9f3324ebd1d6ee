using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The field each kind's watch cache indexes its watchers by (kube-apiserver's trigger functions): pods by
/// spec.nodeName, which every kubelet selects on, and the scheduler with an empty value for pods not yet bound.
/// </summary>
public static class WatchTriggers
{
    public const string NodeName = "spec.nodeName";

    public static string? FieldOf(ResourceKind kind) => kind == ResourceKinds.Pod ? NodeName : null;
}
