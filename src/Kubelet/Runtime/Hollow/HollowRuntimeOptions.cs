namespace KubeMesh.Kubelet.Runtime.Hollow;

/// <summary>How the hollow runtime pretends to run containers (configuration section "Kubelet:Hollow").</summary>
public sealed class HollowRuntimeOptions
{
    /// <summary>How long a container takes to start: zero counts it running at once.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long a container meant to end by itself (init containers, pods not restarted Always) runs before it exits 0.</summary>
    public TimeSpan CompletionDelay { get; set; } = TimeSpan.FromSeconds(5);
}
