namespace KubeMesh.Kubelet.Runtime;

public enum ContainerState
{
    Running,
    Exited,
}
