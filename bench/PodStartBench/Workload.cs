namespace KubeMesh.Bench.PodStart;

/// <summary>
/// The workload both ways: busybox's shell prints a line and then sleeps, so "alive" means the same thing to the
/// kubelet (the container started) and to the direct baseline (its first line of output).
/// </summary>
public static class Workload
{
    public const string Image = "busybox";

    public static readonly string[] Command = ["sh", "-c", "echo started && exec sleep 3600"];
}
