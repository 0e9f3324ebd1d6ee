using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Printing;

/// <summary>How kubectl names an object in messages: "pod/nginx", "deployment.apps/web", `pod "nginx"`.</summary>
public static class ObjectNames
{
    /// <summary>The kind as kubectl qualifies it: "pod", "deployment.apps", "ingress.networking.k8s.io".</summary>
    public static string KindWithGroup(ResourceKind kind) =>
        kind.Group.Length == 0 ? kind.Singular : $"{kind.Singular}.{kind.Group}";

    /// <summary>The plural as kubectl prints it in errors: "pods", "deployments.apps".</summary>
    public static string PluralWithGroup(ResourceKind kind) => kind.GroupResource;

    public static string Qualified(ResourceKind kind, string name) => $"{KindWithGroup(kind)}/{name}";
}
