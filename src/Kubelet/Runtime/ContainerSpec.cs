namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// What the runtime needs to start one container instance, after the pod worker has resolved env
/// (values, fieldRefs, configMap/secret refs) and volumes. The runtime's view, like CRI's ContainerConfig.
/// </summary>
public sealed record ContainerSpec(string Name, string Image)
{
    /// <summary>Replaces the image's entrypoint, as in Kubernetes.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Replaces the image's default arguments, as in Kubernetes.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    public string WorkingDir { get; init; } = "";

    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Limits and requests the runtime enforces (cgroups, or the memory watch without them).</summary>
    public ContainerResources Resources { get; init; } = ContainerResources.None;

    /// <summary>Restart count of this container; each instance gets its own log file.</summary>
    public int Attempt { get; init; }

    /// <summary>
    /// The container is meant to end by itself: an init container, or any container of a pod whose restartPolicy is
    /// not Always. A runtime that runs a program ignores this (the program decides); one that runs nothing (a hollow
    /// node) ends such a container successfully instead of keeping it running forever.
    /// </summary>
    public bool RunsToCompletion { get; init; }
}
