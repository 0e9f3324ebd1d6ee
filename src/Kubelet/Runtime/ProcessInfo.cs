namespace KubeMesh.Kubelet.Runtime;

/// <summary>Reads /proc to find a process's children and tell a live process from a reused PID.</summary>
internal static class ProcessInfo
{
    public static IReadOnlyList<int> Children(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
            return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Start time in clock ticks since boot (field 22 of /proc/PID/stat), or null when gone.</summary>
    public static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
