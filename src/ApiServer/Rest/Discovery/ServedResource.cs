using Google.Protobuf.Reflection;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Rest.Discovery;

/// <summary>
/// What the REST API serves of one kind, derived from the kind registry: its verbs from the methods of its gRPC
/// service, and its subresources (status where UpdateStatus exists, scale where spec.replicas and a selector exist,
/// pods/log, pods/exec and pods/binding from the pod service's extra methods).
/// </summary>
public sealed class ServedResource
{
    public ServedResource(ResourceKind kind)
    {
        Kind = kind;
        var methods = kind.Service.Methods.Select(m => m.Name).ToHashSet();
        var verbs = new SortedSet<string>(StringComparer.Ordinal);
        Add(verbs, methods, "Create", "create");
        Add(verbs, methods, "Get", "get");
        Add(verbs, methods, "List", "list");
        Add(verbs, methods, "Watch", "watch");
        Add(verbs, methods, "Delete", "delete");
        if (methods.Contains("Update"))
        {
            verbs.UnionWith(["update", "patch"]);
        }

        if (methods.Contains("Delete") && methods.Contains("List"))
        {
            verbs.Add("deletecollection");
        }

        Verbs = [.. verbs];
        var subresources = new List<Subresource>();
        if (kind.HasStatus)
        {
            subresources.Add(new("status", kind.Group, kind.Version, kind.Kind, ["get", "patch", "update"]));
        }

        if (HasScale(kind))
        {
            subresources.Add(new("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]));
        }

        if (methods.Contains("GetLogs"))
        {
            subresources.Add(new("log", kind.Group, kind.Version, kind.Kind, ["get"]));
        }

        if (methods.Contains("Exec"))
        {
            subresources.Add(new("exec", kind.Group, kind.Version, "PodExecOptions", ["create", "get"]));
        }

        if (methods.Contains("CreateToken"))
        {
            subresources.Add(new("token", "authentication.k8s.io", "v1", "TokenRequest", ["create"]));
        }

        if (methods.Contains("Bind"))
        {
            subresources.Add(new("binding", kind.Group, kind.Version, "Binding", ["create"]));
        }

        Subresources = [.. subresources.OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    public ResourceKind Kind { get; }

    public IReadOnlyList<string> Verbs { get; }

    public IReadOnlyList<Subresource> Subresources { get; }

    public Subresource? FindSubresource(string name) => Subresources.FirstOrDefault(s => s.Name == name);

    /// <summary>The scale subresource of apps/v1: a spec with replicas and a label selector, a status with replicas.</summary>
    public static bool HasScale(ResourceKind kind) =>
        kind.Descriptor.FindFieldByName("spec")?.MessageType is { } spec
        && spec.FindFieldByName("replicas") is { FieldType: FieldType.Int32 }
        && spec.FindFieldByName("selector")?.MessageType?.FullName == "kubemesh.meta.v1.LabelSelector"
        && kind.Descriptor.FindFieldByName("status")?.MessageType?.FindFieldByName("replicas") is not null;

    private static void Add(SortedSet<string> verbs, HashSet<string> methods, string method, string verb)
    {
        if (methods.Contains(method))
        {
            verbs.Add(verb);
        }
    }
}
