using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Cgroups;

namespace KubeMesh.Kubelet.Tests.Runtime;

/// <summary>
/// The kubelet's cgroup v2 path against a unified hierarchy laid out in a temporary folder as the kernel lays it out
/// (every directory with its control files): which files it writes, with what, in which directories. What only a
/// kernel with cgroup2 mounted can show (the kernel accepting the values, processes joining, OOM kills counted,
/// rmdir of a cgroup that still has control files) is proven by ContainerResourcesTests on v1 only.
/// </summary>
public sealed class CgroupV2Tests : IDisposable
{
    private const long Mi = 1024 * 1024;
    private const string Parent = "kubemesh/kubelet-0123456789ab";
    private const string PodUid = "6f1c2d4e-0000-4000-8000-000000000001";
    private const string ContainerId = "c0ffee0000000001";
    private readonly string _mount = Directory.CreateTempSubdirectory("cgroup2-").FullName;

    [Fact]
    public void CreateV2_NestedParent_HandsMemoryAndCpuDownEveryLevel()
    {
        LayOutKernelTree();

        var hierarchy = CgroupHierarchy.CreateV2(_mount, Parent);

        Assert.Equal(CgroupMode.V2, hierarchy.Version);
        Assert.Equal([Path.Combine(_mount, "kubemesh", "kubelet-0123456789ab")], hierarchy.Roots);
        // The kernel lets a cgroup's children use a controller only once the cgroup itself enables it for them.
        Assert.Equal("+memory +cpu", Read("cgroup.subtree_control"));
        Assert.Equal("+memory +cpu", Read("kubemesh/cgroup.subtree_control"));
        Assert.Equal("+memory +cpu", Read($"{Parent}/cgroup.subtree_control"));
    }

    [Fact]
    public void CreateV2_MemoryControllerMissing_UnavailableNamingWhatThereIs()
    {
        LayOutKernelTree(controllers: "cpuset cpu io pids");

        var error = Assert.Throws<CgroupUnavailableException>(() => CgroupHierarchy.CreateV2(_mount, Parent));

        Assert.Equal($"the memory and cpu controllers are not available at {_mount} (they are: cpuset cpu io pids)", error.Message);
        Assert.Equal("", Read("cgroup.subtree_control"));
    }

    [Fact]
    public void Create_CpuAndMemoryLimits_WritesMaxSwapAndWeightIntoTheContainersOwnCgroup()
    {
        LayOutKernelTree();
        var hierarchy = CgroupHierarchy.CreateV2(_mount, Parent);

        var cgroup = hierarchy.Create(PodUid, ContainerId, new ContainerResources(128 * Mi, 500, 250));

        var container = $"{Parent}/{PodUid}/{ContainerId}";
        Assert.Equal([Path.Combine(_mount, container)], cgroup.Directories);
        Assert.Equal([Path.Combine(_mount, container, "cgroup.procs")], cgroup.ProcsFiles);
        Assert.Equal("+memory +cpu", Read($"{Parent}/{PodUid}/cgroup.subtree_control"));
        Assert.Equal("134217728", Read($"{container}/memory.max"));
        // No swap: a container at its limit is OOM-killed rather than swapped out, as the kubelet sets it.
        Assert.Equal("0", Read($"{container}/memory.swap.max"));
        // 500m: 50 ms of every 100 ms period.
        Assert.Equal("50000 100000", Read($"{container}/cpu.max"));
        // 250m requested: 256 shares, which runc and the kubelet turn into weight 10.
        Assert.Equal("10", Read($"{container}/cpu.weight"));
        Assert.Equal("max", Read($"{container}/memory.high"));
    }

    [Fact]
    public void Create_NoLimits_LeavesTheKernelsDefaults()
    {
        LayOutKernelTree();
        var hierarchy = CgroupHierarchy.CreateV2(_mount, Parent);

        hierarchy.Create(PodUid, ContainerId, new ContainerResources(null, null, null));

        var container = $"{Parent}/{PodUid}/{ContainerId}";
        Assert.Equal(("max", "max", "max 100000", "100"),
            (Read($"{container}/memory.max"), Read($"{container}/memory.swap.max"), Read($"{container}/cpu.max"), Read($"{container}/cpu.weight")));
    }

    [Fact]
    public void Create_KernelWithoutSwapAccounting_SetsMemoryOnly()
    {
        LayOutKernelTree(swap: false);
        var hierarchy = CgroupHierarchy.CreateV2(_mount, Parent);

        hierarchy.Create(PodUid, ContainerId, new ContainerResources(64 * Mi, null, null));

        var container = $"{Parent}/{PodUid}/{ContainerId}";
        Assert.Equal("67108864", Read($"{container}/memory.max"));
        Assert.False(File.Exists(Path.Combine(_mount, container, "memory.swap.max")));
    }

    [Fact]
    public void OomKills_MemoryEvents_ReadsTheOomKillCounter()
    {
        LayOutKernelTree();
        var cgroup = CgroupHierarchy.CreateV2(_mount, Parent).Create(PodUid, ContainerId, new ContainerResources(64 * Mi, null, null));

        File.WriteAllText(Path.Combine(cgroup.Directories[0], "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");

        Assert.Equal(1, cgroup.OomKills);
    }

    [Fact]
    public void V2MountPoint_UnifiedHierarchyInMountinfo_IsFound()
    {
        string[] mountinfo =
        [
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/root rw",
            "25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw",
            "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
        ];

        Assert.Equal("/sys/fs/cgroup", CgroupMounts.V2MountPoint(mountinfo));
        Assert.Null(CgroupMounts.OwnV1Directory("memory", mountinfo, ["0::/user.slice/session-1.scope"]));
    }

    [Fact]
    public void OwnV1Directory_HybridHierarchy_IsTheProcessesOwnCgroupUnderTheControllersMount()
    {
        string[] mountinfo =
        [
            "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw",
            "33 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,memory",
            "34 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct",
        ];
        string[] cgroups = ["5:memory:/system.slice/kubelet.service", "4:cpu,cpuacct:/system.slice/kubelet.service", "0::/system.slice/kubelet.service"];

        Assert.Equal("/sys/fs/cgroup/memory/system.slice/kubelet.service", CgroupMounts.OwnV1Directory("memory", mountinfo, cgroups));
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/system.slice/kubelet.service", CgroupMounts.OwnV1Directory("cpu", mountinfo, cgroups));
        Assert.Equal("/sys/fs/cgroup/unified", CgroupMounts.V2MountPoint(mountinfo));
    }

    public void Dispose() => Directory.Delete(_mount, recursive: true);

    /// <summary>
    /// What the kernel shows in a cgroup2 mount: the root's controllers, and in every cgroup (the kubelet's parent,
    /// the pod, the container) the control files mkdir would have made, at their defaults.
    /// </summary>
    private void LayOutKernelTree(string controllers = "cpuset cpu io memory hugetlb pids rdma misc", bool swap = true)
    {
        File.WriteAllText(Path.Combine(_mount, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(_mount, "cgroup.subtree_control"), "");
        var cgroup = _mount;
        foreach (var part in $"{Parent}/{PodUid}/{ContainerId}".Split('/'))
        {
            cgroup = Path.Combine(cgroup, part);
            Directory.CreateDirectory(cgroup);
            File.WriteAllText(Path.Combine(cgroup, "cgroup.subtree_control"), "");
            File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), "");
            File.WriteAllText(Path.Combine(cgroup, "memory.max"), "max\n");
            File.WriteAllText(Path.Combine(cgroup, "memory.high"), "max\n");
            File.WriteAllText(Path.Combine(cgroup, "cpu.max"), "max 100000\n");
            File.WriteAllText(Path.Combine(cgroup, "cpu.weight"), "100\n");
            File.WriteAllText(Path.Combine(cgroup, "memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
            if (swap)
            {
                File.WriteAllText(Path.Combine(cgroup, "memory.swap.max"), "max\n");
            }
        }
    }

    private string Read(string relative) => File.ReadAllText(Path.Combine(_mount, relative)).Trim();
}
