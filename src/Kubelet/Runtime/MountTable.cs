using System.Text;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// The bind mounts container-init.sh makes in a container: each volume at its mountPath, and the pod's
/// hosts file at /etc/hosts and its resolv.conf at /etc/resolv.conf. Lines are "SOURCE\tTARGET\tro|rw".
/// </summary>
internal static class MountTable
{
    public static string Build(PodSandbox sandbox, ContainerSpec spec, IsolationMode isolation, PodDnsConfig dns)
    {
        var table = new StringBuilder();

        // The built-in images run from the kubelet's own directory. Every container gets a private /tmp,
        // which would hide that directory when the kubelet itself runs from under /tmp (a checkout
        // there), so it is bound back in, read-only, at the same path.
        var images = AppContext.BaseDirectory.TrimEnd('/');
        if (isolation != IsolationMode.None && images.StartsWith("/tmp/", StringComparison.Ordinal))
        {
            table.Append(images).Append('\t').Append(images).Append("\tro\n");
        }

        for (var i = 0; i < spec.Mounts.Count; i++)
        {
            var mount = spec.Mounts[i];
            var path = $"volumeMounts[{i}]";
            if (!sandbox.Volumes.TryGetValue(mount.VolumeName, out var source))
            {
                throw new ArgumentException($"{path}.name: Not found: \"{mount.VolumeName}\"");
            }

            if (!mount.MountPath.StartsWith('/') || mount.MountPath.Contains('\t') || mount.MountPath.Contains('\n')
                || mount.MountPath.Split('/').Contains(".."))
            {
                throw new ArgumentException($"{path}.mountPath: Invalid value: \"{mount.MountPath}\": must be an absolute path without '..'");
            }

            if (!Path.Exists(source))
            {
                throw new ArgumentException($"{path}.name: volume \"{mount.VolumeName}\" has no directory on the node at {source}");
            }

            table.Append(source).Append('\t').Append(InRoot(mount.MountPath)).Append('\t').Append(mount.ReadOnly ? "ro" : "rw").Append('\n');
        }

        if (isolation != IsolationMode.None)
        {
            Directory.CreateDirectory(sandbox.PodDirectory);
            var hosts = Path.Combine(sandbox.PodDirectory, "etc-hosts");
            File.WriteAllText(hosts, ContainerEnvironment.HostsFile(sandbox));
            table.Append(hosts).Append("\t/etc/hosts\tro\n");
            var resolvConf = Path.Combine(sandbox.PodDirectory, "resolv.conf");
            File.WriteAllText(resolvConf, dns.ToResolvConf());
            table.Append(resolvConf).Append("\t/etc/resolv.conf\tro\n");
        }

        return table.ToString();
    }

    /// <summary>
    /// The mount point with symbolic links in its directories followed inside the container's root (which mirrors
    /// the node's), as runc's securejoin does: /var/run/secrets becomes /run/secrets where /var/run links to /run, so
    /// the mount lands where the container's processes look, not through the link onto the node.
    /// </summary>
    internal static string InRoot(string mountPath)
    {
        var parts = new Queue<string>(mountPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "";
        for (var links = 0; parts.Count > 0;)
        {
            var part = parts.Dequeue();
            if (part is "." or "..")
            {
                // Only a link's target brings these; the mount path itself is refused with "..".
                resolved = part == ".." && resolved.Length > 0 ? resolved[..resolved.LastIndexOf('/')] : resolved;
                continue;
            }

            var candidate = resolved + "/" + part;
            var target = parts.Count > 0 ? new FileInfo(candidate).LinkTarget : null;
            if (target is null || ++links > 40)
            {
                resolved = candidate;
                continue;
            }

            // The rest of the path continues under the link's target, relative to where the link is unless absolute.
            var rest = parts.ToArray();
            parts.Clear();
            foreach (var next in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest))
            {
                parts.Enqueue(next);
            }

            if (target.StartsWith('/'))
            {
                resolved = "";
            }
        }

        return resolved.Length == 0 ? "/" : resolved;
    }
}
