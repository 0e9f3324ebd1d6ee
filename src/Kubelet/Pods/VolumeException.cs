namespace KubeMesh.Kubelet.Pods;

/// <summary>A volume could not be set up; the pod waits in ContainerCreating and a FailedMount event says why.</summary>
public sealed class VolumeException(string message) : Exception(message)
{
    public const string Reason = "FailedMount";
}
