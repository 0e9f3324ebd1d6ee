namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>
/// The cgroup directories this kubelet puts its containers under, one per pod and one per container below it
/// (&lt;root&gt;/&lt;pod-uid&gt;/&lt;container-id&gt;), like the kubelet's kubepods tree.
/// cgroup v1: under the kubelet's own cgroup of the memory and of the cpu hierarchy, so the containers stay inside
/// whatever limits the kubelet itself runs under. cgroup v2: under the hierarchy's root, because v2 lets a cgroup
/// hand controllers to its children only while it holds no processes, and the kubelet's own cgroup holds the kubelet.
/// </summary>
internal sealed class CgroupHierarchy
{
    private const string Controllers = "+memory +cpu";

    private CgroupHierarchy(CgroupMode version, IReadOnlyList<string> roots)
    {
        Version = version;
        Roots = roots;
    }

    /// <summary><see cref="CgroupMode.V1"/> or <see cref="CgroupMode.V2"/>.</summary>
    public CgroupMode Version { get; }

    /// <summary>v1: the memory root, then the cpu root. v2: the one root.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>Finds a writable hierarchy for <paramref name="requested"/> (never <see cref="CgroupMode.None"/>).</summary>
    /// <returns>The hierarchy, or null with every reason it could not be used.</returns>
    public static CgroupHierarchy? Detect(CgroupMode requested, string parent, out string failure)
    {
        var failures = new List<string>();
        CgroupMode[] candidates = requested == CgroupMode.Auto ? [CgroupMode.V2, CgroupMode.V1] : [requested];
        foreach (var version in candidates)
        {
            try
            {
                var hierarchy = version == CgroupMode.V2 ? CreateV2(parent) : CreateV1(parent);
                failure = "";
                return hierarchy;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CgroupUnavailableException)
            {
                failures.Add($"cgroup {version.ToString().ToLowerInvariant()}: {e.Message}");
            }
        }

        failure = string.Join("; ", failures);
        return null;
    }

    public ContainerCgroup Create(string podUid, string containerId, ContainerResources resources)
    {
        var pods = Roots.Select(root => Path.Combine(root, podUid)).ToList();
        foreach (var pod in pods)
        {
            Directory.CreateDirectory(pod);
        }

        if (Version == CgroupMode.V2)
        {
            CgroupFile.Write(Path.Combine(pods[0], "cgroup.subtree_control"), Controllers);
        }

        var cgroup = new ContainerCgroup(Version, pods.Select(pod => Path.Combine(pod, containerId)).ToList());
        try
        {
            cgroup.Apply(resources);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cgroup.RemoveAsync().GetAwaiter().GetResult();
            throw;
        }

        return cgroup;
    }

    /// <summary>
    /// Kills what is left in the cgroups of an earlier run of this kubelet (the parent is this kubelet's own) and
    /// removes them.
    /// </summary>
    public async Task RemoveStaleAsync()
    {
        var containers = Roots.SelectMany(root => Directory.EnumerateDirectories(root).SelectMany(Directory.EnumerateDirectories)).ToList();
        await new ContainerCgroup(Version, containers).RemoveAsync();
        foreach (var pod in Roots.SelectMany(Directory.EnumerateDirectories))
        {
            ContainerCgroup.TryRemoveDirectory(pod);
        }
    }

    /// <summary>Removes the kubelet's own parent cgroups where they are empty.</summary>
    public void RemoveRoots()
    {
        foreach (var root in Roots)
        {
            ContainerCgroup.TryRemoveDirectory(root);
        }
    }

    private static CgroupHierarchy CreateV1(string parent)
    {
        var roots = new List<string>();
        foreach (var controller in new[] { "memory", "cpu" })
        {
            var own = CgroupMounts.OwnV1Directory(controller)
                ?? throw new CgroupUnavailableException($"no {controller} hierarchy is mounted");
            var root = Path.Combine(own, parent);
            Directory.CreateDirectory(root);
            roots.Add(root);
        }

        return new CgroupHierarchy(CgroupMode.V1, roots);
    }

    private static CgroupHierarchy CreateV2(string parent) =>
        CreateV2(CgroupMounts.V2MountPoint() ?? throw new CgroupUnavailableException("not mounted"), parent);

    /// <summary>The v2 hierarchy mounted at <paramref name="mount"/>, with memory and cpu handed down to <paramref name="parent"/>.</summary>
    internal static CgroupHierarchy CreateV2(string mount, string parent)
    {
        var available = File.ReadAllText(Path.Combine(mount, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!available.Contains("memory") || !available.Contains("cpu"))
        {
            throw new CgroupUnavailableException($"the memory and cpu controllers are not available at {mount} (they are: {string.Join(' ', available)})");
        }

        // Each level hands memory and cpu down to the next, from the hierarchy's root to the kubelet's parent.
        var directory = mount;
        foreach (var part in parent.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            CgroupFile.Write(Path.Combine(directory, "cgroup.subtree_control"), Controllers);
            directory = Path.Combine(directory, part);
            Directory.CreateDirectory(directory);
        }

        CgroupFile.Write(Path.Combine(directory, "cgroup.subtree_control"), Controllers);
        return new CgroupHierarchy(CgroupMode.V2, [directory]);
    }
}
