namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>
/// One container's cgroup: one directory per v1 hierarchy (memory, cpu), or one v2 directory. The container's
/// process joins it before it runs the workload (see <see cref="ContainerLaunch"/>), so every process of the
/// container is limited from its first instruction.
/// </summary>
internal sealed class ContainerCgroup(CgroupMode version, IReadOnlyList<string> directories)
{
    /// <summary>CFS period used for every quota: 100 ms, the kernel's and Kubernetes' default.</summary>
    public const long CpuPeriodMicros = 100_000;

    public IReadOnlyList<string> Directories { get; } = directories;

    /// <summary>The files a process writes its PID to, to join this cgroup in every hierarchy.</summary>
    public IReadOnlyList<string> ProcsFiles => Directories.Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    /// <summary>How many processes the kernel's OOM killer killed in this cgroup (oom_kill of memory.oom_control or memory.events).</summary>
    public long OomKills => version == CgroupMode.V2
        ? CgroupFile.ReadKey(Path.Combine(Directories[0], "memory.events"), "oom_kill")
        : CgroupFile.ReadKey(Path.Combine(Directories[0], "memory.oom_control"), "oom_kill");

    /// <summary>Kubernetes' MilliCPUToQuota: the share of each period the container may run, at least 1 ms.</summary>
    public static long CpuQuotaMicros(long milliCpu) => Math.Max(milliCpu * CpuPeriodMicros / 1000, 1000);

    /// <summary>Kubernetes' MilliCPUToShares: 1024 per core requested, within the kernel's 2..262144.</summary>
    public static long CpuShares(long milliCpu) => Math.Clamp(milliCpu * 1024 / 1000, 2, 262_144);

    /// <summary>cgroup v2's weight for v1 shares, the conversion runc and the kubelet use.</summary>
    public static long CpuWeight(long shares) => 1 + ((shares - 2) * 9999 / 262_142);

    public void Apply(ContainerResources resources)
    {
        foreach (var directory in Directories)
        {
            Directory.CreateDirectory(directory);
        }

        if (version == CgroupMode.V2)
        {
            ApplyV2(Directories[0], resources);
        }
        else
        {
            ApplyV1(Directories[0], Directories[1], resources);
        }
    }

    /// <summary>Kills whatever still runs in the cgroup (a container's strays outlive its main process without a PID namespace) and removes it.</summary>
    public async Task RemoveAsync()
    {
        foreach (var directory in Directories)
        {
            for (var attempt = 0; Directory.Exists(directory); attempt++)
            {
                foreach (var pid in CgroupFile.ReadPids(Path.Combine(directory, "cgroup.procs")))
                {
                    NativeMethods.Kill(pid, NativeMethods.SigKill);
                }

                if (TryRemoveDirectory(directory) || attempt == 100)
                {
                    break;
                }

                // Killed processes leave the cgroup once they are reaped.
                await Task.Delay(50);
            }

            TryRemoveDirectory(Path.GetDirectoryName(directory)!);
        }
    }

    /// <summary>rmdir: a cgroup goes once it holds no processes and no child cgroups.</summary>
    public static bool TryRemoveDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: false);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void ApplyV1(string memory, string cpu, ContainerResources resources)
    {
        if (resources.MemoryLimitBytes is { } bytes)
        {
            CgroupFile.Write(Path.Combine(memory, "memory.limit_in_bytes"), bytes);
            var memsw = Path.Combine(memory, "memory.memsw.limit_in_bytes");
            if (File.Exists(memsw))
            {
                // Without it a node with swap would swap the container out instead of killing it at its limit.
                CgroupFile.Write(memsw, bytes);
            }
        }

        if (resources.CpuLimitMillis is { } limit)
        {
            CgroupFile.Write(Path.Combine(cpu, "cpu.cfs_period_us"), CpuPeriodMicros);
            CgroupFile.Write(Path.Combine(cpu, "cpu.cfs_quota_us"), CpuQuotaMicros(limit));
        }

        if (resources.CpuRequestMillis is { } request)
        {
            CgroupFile.Write(Path.Combine(cpu, "cpu.shares"), CpuShares(request));
        }
    }

    private static void ApplyV2(string directory, ContainerResources resources)
    {
        if (resources.MemoryLimitBytes is { } bytes)
        {
            CgroupFile.Write(Path.Combine(directory, "memory.max"), bytes);
            var swap = Path.Combine(directory, "memory.swap.max");
            if (File.Exists(swap))
            {
                CgroupFile.Write(swap, 0);
            }
        }

        if (resources.CpuLimitMillis is { } limit)
        {
            CgroupFile.Write(Path.Combine(directory, "cpu.max"), $"{CpuQuotaMicros(limit)} {CpuPeriodMicros}");
        }

        if (resources.CpuRequestMillis is { } request)
        {
            CgroupFile.Write(Path.Combine(directory, "cpu.weight"), CpuWeight(CpuShares(request)));
        }
    }
}
