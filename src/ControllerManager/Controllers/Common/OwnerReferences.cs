using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>metav1.GetControllerOf and NewControllerRef: the one owner reference with controller=true.</summary>
internal static class OwnerReferences
{
    public static OwnerReference? ControllerOf(ObjectMeta metadata) =>
        metadata.OwnerReferences.FirstOrDefault(r => r.HasController && r.Controller);

    public static OwnerReference NewControllerRef(ObjectMeta owner, ResourceKind kind) => new()
    {
        ApiVersion = kind.ApiVersion,
        Kind = kind.Kind,
        Name = owner.Name,
        Uid = owner.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    public static bool IsControlledBy(ObjectMeta metadata, ObjectMeta owner) => ControllerOf(metadata)?.Uid == owner.Uid;
}
