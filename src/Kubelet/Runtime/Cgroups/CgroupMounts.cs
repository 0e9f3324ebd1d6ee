namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>
/// Where this process's cgroups are, read from /proc/self/mountinfo and /proc/self/cgroup: the directory of a v1
/// controller's hierarchy that holds the kubelet, or the cgroup v2 mount.
/// </summary>
internal static class CgroupMounts
{
    /// <summary>The kubelet's own cgroup directory in the v1 hierarchy of <paramref name="controller"/>, or null.</summary>
    public static string? OwnV1Directory(string controller) =>
        OwnV1Directory(controller, ReadLines("/proc/self/mountinfo"), ReadLines("/proc/self/cgroup"));

    /// <summary>As <see cref="OwnV1Directory(string)"/>, from the text of a mountinfo and a cgroup file.</summary>
    internal static string? OwnV1Directory(string controller, IEnumerable<string> mountinfo, IEnumerable<string> cgroups)
    {
        var mount = Mounts(mountinfo).FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Split(',').Contains(controller));
        var own = OwnCgroups(cgroups).FirstOrDefault(c => c.Controllers.Split(',').Contains(controller));
        return mount is null || own is null ? null : Join(mount.MountPoint, Relative(own.Path, mount.Root));
    }

    /// <summary>The mount point of the cgroup v2 hierarchy, or null when none is mounted.</summary>
    public static string? V2MountPoint() => V2MountPoint(ReadLines("/proc/self/mountinfo"));

    /// <summary>As <see cref="V2MountPoint()"/>, from the text of a mountinfo file.</summary>
    internal static string? V2MountPoint(IEnumerable<string> mountinfo) => Mounts(mountinfo).FirstOrDefault(m => m.FsType == "cgroup2")?.MountPoint;

    private static string Relative(string path, string root) =>
        root != "/" && path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : path;

    private static string Join(string mountPoint, string path) => mountPoint.TrimEnd('/') + "/" + path.Trim('/');

    private static IEnumerable<OwnCgroup> OwnCgroups(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                yield return new OwnCgroup(parts[1], parts[2]);
            }
        }
    }

    private static IEnumerable<Mount> Mounts(IEnumerable<string> lines)
    {
        // "36 35 98:0 /root /mount/point rw,noatime shared:1 - cgroup cgroup rw,memory": optional fields end at " - ".
        foreach (var line in lines)
        {
            var halves = line.Split(" - ", 2);
            var fields = halves[0].Split(' ');
            var tail = halves.Length == 2 ? halves[1].Split(' ') : [];
            if (fields.Length >= 5 && tail.Length >= 3)
            {
                yield return new Mount(Unescape(fields[3]), Unescape(fields[4]), tail[0], tail[2]);
            }
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private sealed record OwnCgroup(string Controllers, string Path);

    private sealed record Mount(string Root, string MountPoint, string FsType, string SuperOptions);
}
