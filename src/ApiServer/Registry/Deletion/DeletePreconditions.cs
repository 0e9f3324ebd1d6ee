using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Deletion;

/// <summary>DeleteOptions.preconditions: the delete applies only to the object with this uid and resourceVersion.</summary>
public static class DeletePreconditions
{
    /// <exception cref="Grpc.Core.RpcException">Aborted (conflict): the stored object is another.</exception>
    public static void Check(ResourceKind kind, Preconditions? preconditions, ObjectMeta meta)
    {
        if (preconditions is null)
        {
            return;
        }

        if (preconditions.Uid.Length > 0 && preconditions.Uid != meta.Uid)
        {
            throw ApiErrors.Conflict(kind, meta.Name, $"Precondition failed: UID in precondition: {preconditions.Uid}, UID in object meta: {meta.Uid}");
        }

        if (preconditions.ResourceVersion.Length > 0 && preconditions.ResourceVersion != meta.ResourceVersion)
        {
            throw ApiErrors.Conflict(kind, meta.Name, $"Precondition failed: ResourceVersion in precondition: {preconditions.ResourceVersion}, ResourceVersion in object meta: {meta.ResourceVersion}");
        }
    }
}
