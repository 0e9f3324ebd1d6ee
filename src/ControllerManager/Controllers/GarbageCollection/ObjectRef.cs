using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ControllerManager.Controllers.GarbageCollection;

/// <summary>A node of the garbage collector's graph: one object, by kind, namespace and name.</summary>
public readonly record struct ObjectRef(ResourceKind Kind, string Namespace, string Name)
{
    public static ObjectRef Of(ResourceKind kind, ObjectMeta metadata) => new(kind, metadata.Namespace, metadata.Name);

    /// <summary>The owner an ownerReference names; owners live in the dependent's namespace unless cluster-scoped.</summary>
    public static ObjectRef? OwnerOf(OwnerReference reference, string dependentNamespace) =>
        ResourceKinds.Find(reference.ApiVersion, reference.Kind) is { } kind
            ? new ObjectRef(kind, kind.Namespaced ? dependentNamespace : "", reference.Name)
            : null;

    public override string ToString() => $"{Kind.Plural} {(Namespace.Length > 0 ? Namespace + "/" : "")}{Name}";
}
