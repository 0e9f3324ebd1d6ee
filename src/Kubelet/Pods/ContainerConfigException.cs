namespace KubeMesh.Kubelet.Pods;

/// <summary>A container cannot be configured yet (missing ConfigMap, Secret or key): it waits with CreateContainerConfigError.</summary>
public sealed class ContainerConfigException(string message) : Exception(message)
{
    public const string Reason = "CreateContainerConfigError";
}
