namespace KubeMesh.Kubelet.Runtime;

/// <summary>One started container instance. <see cref="Pid"/> is the node's PID of the container's PID 1.</summary>
public sealed record ContainerHandle(string Id, string PodUid, string ContainerName, int Attempt, int Pid, DateTimeOffset StartedAt);
