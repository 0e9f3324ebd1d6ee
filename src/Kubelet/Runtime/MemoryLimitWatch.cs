namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Enforces a memory limit without cgroups: sums the resident memory of the container's process tree every
/// interval and kills the container once it is over its limit, which is then reported as OOMKilled like a kill by
/// the kernel. Between two looks a fast allocator can overshoot; cgroups have no such gap, so they are preferred.
/// </summary>
internal static class MemoryLimitWatch
{
    public static async Task RunAsync(ContainerInstance instance, long limitBytes, TimeSpan interval, Action<ContainerInstance, long> kill)
    {
        var pid = instance.Process.Id;
        while (!instance.Exited.IsCompleted)
        {
            var resident = ProcessInfo.Tree(pid).Sum(ProcessInfo.ResidentBytes);
            if (resident > limitBytes)
            {
                kill(instance, resident);
                return;
            }

            await Task.WhenAny(instance.Exited, Task.Delay(interval));
        }
    }
}
