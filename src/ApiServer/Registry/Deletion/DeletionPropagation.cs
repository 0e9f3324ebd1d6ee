using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Registry.Deletion;

/// <summary>
/// DeleteOptions.propagationPolicy as kube-apiserver's deletionFinalizersForGarbageCollection reads it: Orphan and
/// Foreground leave the garbage collector a finalizer to act on before the object goes; Background (the default)
/// removes the owner at once and lets the collector delete its dependents afterwards.
/// </summary>
public static class DeletionPropagation
{
    public const string Orphan = "Orphan";
    public const string Foreground = "Foreground";
    public const string Background = "Background";

    /// <exception cref="Grpc.Core.RpcException">InvalidArgument: the policy is none of the three.</exception>
    public static void AddFinalizer(ObjectMeta meta, string policy)
    {
        switch (policy)
        {
            case Orphan when !meta.Finalizers.Contains(Finalizers.Orphan):
                meta.Finalizers.Add(Finalizers.Orphan);
                break;
            case Foreground when !meta.Finalizers.Contains(Finalizers.ForegroundDeletion):
                meta.Finalizers.Add(Finalizers.ForegroundDeletion);
                break;
            case "" or Orphan or Foreground or Background:
                break;
            default:
                throw ApiErrors.BadRequest($"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Orphan\", \"Foreground\", \"Background\"");
        }
    }
}
