using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Cgroups;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class ContainerResourcesTests
{
    private const long Mi = 1024 * 1024;

    /// <summary>tail keeps its last lines, and /dev/zero has no line end: it holds all 200 MiB until it is killed.</summary>
    private static readonly string[] AllocateAndExit = ["sh", "-c", "head -c 200M /dev/zero | tail"];

    [SkippableFact]
    public async Task StartContainer_MemoryOverCgroupLimit_OomKilledWithExitCode137()
    {
        await using var fixture = new RuntimeFixture();
        await fixture.Runtime.InitializeAsync(CancellationToken.None);
        SkipUnlessCgroupV1(fixture);

        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("hog", "busybox")
        {
            Command = AllocateAndExit,
            Resources = new ContainerResources(64 * Mi, null, null),
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((ContainerState.Exited, 137, 9, "OOMKilled"), (status.State, status.ExitCode, status.Signal, status.Reason));
    }

    [Fact]
    public async Task StartContainer_UnderItsMemoryLimit_CompletesNormally()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("small", "busybox")
        {
            Command = ["sh", "-c", "head -c 8M /dev/zero | tail | wc -c"],
            Resources = new ContainerResources(64 * Mi, null, null),
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((0, "Completed"), (status.ExitCode, status.Reason));
        Assert.Equal((8 * Mi).ToString(System.Globalization.CultureInfo.InvariantCulture), (await fixture.LogAsync(handle)).Trim());
    }

    [SkippableFact]
    public async Task StartContainer_CpuAndMemoryLimits_WrittenToTheContainersOwnCgroupAndRemovedWithIt()
    {
        await using var fixture = new RuntimeFixture();
        await fixture.Runtime.InitializeAsync(CancellationToken.None);
        SkipUnlessCgroupV1(fixture);

        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("limited", "busybox")
        {
            Command = ["sleep", "300"],
            Resources = new ContainerResources(128 * Mi, 500, 250),
        });

        // The container's own PID 1 is in the cgroups: nothing of it ran outside its limits.
        var memory = CgroupOf(handle.Pid, "memory");
        var cpu = CgroupOf(handle.Pid, "cpu");
        Assert.Contains(handle.PodUid, memory, StringComparison.Ordinal);
        Assert.Equal("134217728", Read(memory, "memory.limit_in_bytes"));
        Assert.Equal("100000", Read(cpu, "cpu.cfs_period_us"));
        Assert.Equal("50000", Read(cpu, "cpu.cfs_quota_us"));
        Assert.Equal("256", Read(cpu, "cpu.shares"));

        await fixture.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(5));

        Assert.False(Directory.Exists(memory), $"{memory} must be removed with the container");
        Assert.False(Directory.Exists(cpu), $"{cpu} must be removed with the container");
    }

    [Fact]
    public async Task StartContainer_NoCgroupsMemoryOverLimit_WatchKillsItAsOomKilled()
    {
        await using var fixture = new RuntimeFixture(cgroups: CgroupMode.None);
        // tail holds 300 MiB while sleep, which never reads, keeps the pipeline (and the container) alive.
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("hog", "busybox")
        {
            Command = ["sh", "-c", "head -c 300M /dev/zero | tail | sleep 600"],
            Resources = new ContainerResources(64 * Mi, 500, 500),
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((137, 9, "OOMKilled"), (status.ExitCode, status.Signal, status.Reason));
        Assert.StartsWith("no writable cgroup hierarchy on this node (disabled by configuration)", fixture.Runtime.CpuLimitsNotEnforcedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartContainer_SigkillWithoutOom_IsErrorNotOomKilled()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("killed", "busybox")
        {
            Command = ["sh", "-c", "kill -KILL $$"],
            Resources = new ContainerResources(64 * Mi, null, null),
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((137, "Error"), (status.ExitCode, status.Reason));
    }

    [Theory]
    [InlineData(500, 50_000, 512, 20)]
    [InlineData(1, 1_000, 2, 1)]
    [InlineData(2000, 200_000, 2048, 79)]
    public void CpuConversions_MilliCpu_MatchKubernetes(long milliCpu, long quota, long shares, long weight)
    {
        Assert.Equal(quota, ContainerCgroup.CpuQuotaMicros(milliCpu));
        Assert.Equal(shares, ContainerCgroup.CpuShares(milliCpu));
        Assert.Equal(weight, ContainerCgroup.CpuWeight(shares));
    }

    /// <summary>
    /// These tests run containers under the kernel's cgroup v1 (memory.limit_in_bytes, cpu.cfs_quota_us, as on this
    /// project's machines); elsewhere they are skipped saying why. The v2 writes are tested on a laid-out tree
    /// (CgroupV2Tests).
    /// </summary>
    private static void SkipUnlessCgroupV1(RuntimeFixture fixture)
    {
        Skip.If(fixture.Runtime.CpuLimitsNotEnforcedReason is not null, $"cgroups are off: {fixture.Runtime.CpuLimitsNotEnforcedReason}");
        Skip.IfNot(Directory.Exists("/sys/fs/cgroup/memory"), "no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory");
    }

    /// <summary>The directory of <paramref name="pid"/>'s cgroup in the v1 hierarchy of <paramref name="controller"/>.</summary>
    private static string CgroupOf(int pid, string controller)
    {
        var line = File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.Split(':')[1].Split(',').Contains(controller));
        return $"/sys/fs/cgroup/{controller}{line.Split(':', 3)[2]}";
    }

    private static string Read(string directory, string file) => File.ReadAllText(Path.Combine(directory, file)).Trim();
}
