using System.Globalization;

namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>Reads and writes cgroup control files, which take one value per write.</summary>
internal static class CgroupFile
{
    public static void Write(string path, string value)
    {
        // Truncate, as the shell's `echo VALUE > FILE`: the kernel ignores it, and a file that is not a control file
        // (a tree laid out for tests) then holds exactly the value. The file must exist: the kernel creates them.
        using var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
        var bytes = System.Text.Encoding.ASCII.GetBytes(value);
        stream.Write(bytes);
    }

    public static void Write(string path, long value) => Write(path, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file (memory.events, memory.oom_control), or 0.</summary>
    public static long ReadKey(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    public static IReadOnlyList<int> ReadPids(string procsFile)
    {
        try
        {
            return File.ReadAllLines(procsFile).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
