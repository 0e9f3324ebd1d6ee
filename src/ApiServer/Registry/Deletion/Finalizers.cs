namespace KubeMesh.ApiServer.Registry.Deletion;

/// <summary>The finalizers the garbage collector honours, as in Kubernetes.</summary>
public static class Finalizers
{
    public const string Orphan = "orphan";
    public const string ForegroundDeletion = "foregroundDeletion";
}
