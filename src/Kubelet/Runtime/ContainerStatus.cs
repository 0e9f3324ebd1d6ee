namespace KubeMesh.Kubelet.Runtime;

/// <summary>The runtime's view of a container instance, mapped by the pod worker to containerStatuses[].</summary>
public sealed record ContainerStatus(string Id, ContainerState State, DateTimeOffset StartedAt)
{
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended the container, when one did (ExitCode is then 128 + Signal).</summary>
    public int? Signal { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Kubernetes' terminated reason: Completed, Error, OOMKilled.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Anything a user should know, such as isolation being off on this node.</summary>
    public string Message { get; init; } = "";
}
