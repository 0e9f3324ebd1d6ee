using System.Text;

namespace KubeMesh.EndToEnd;

/// <summary>
/// Writes a file inside a running container from the node, as `kubectl exec POD -- touch FILE` would (kmctl has no
/// exec yet). Containers are processes of this machine: a container's processes carry its pod IP in their
/// environment, and /proc/PID/root of one that lives in the container's own root reaches that root's files
/// (including its private /tmp) through the container's mount namespace.
/// </summary>
internal static class ContainerFiles
{
    public static void Write(string podIp, string path, string content)
    {
        var marker = "KUBEMESH_POD_IP=" + podIp;
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _) || !InContainerRoot(proc) || !HasVariable(proc, marker))
            {
                continue;
            }

            File.WriteAllText(Path.Combine(proc, "root") + path, content);
            return;
        }

        throw new InvalidOperationException($"no process of the container with pod IP {podIp} runs in its own root");
    }

    private static bool InContainerRoot(string proc)
    {
        try
        {
            return new DirectoryInfo(Path.Combine(proc, "root")).LinkTarget is { } root && root != "/";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool HasVariable(string proc, string variable)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(proc, "environ"))).Split('\0').Contains(variable);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
