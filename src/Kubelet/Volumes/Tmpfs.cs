using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>Memory-backed directories (secret volumes, emptyDir medium Memory) and their removal with the pod.</summary>
public static class Tmpfs
{
    /// <summary>Mounting needs root; without it the caller keeps a plain directory and says so.</summary>
    public static bool CanMount => Environment.IsPrivilegedProcess;

    /// <summary>Mounts a tmpfs on <paramref name="path"/> unless one is there already.</summary>
    /// <exception cref="IOException">mount failed.</exception>
    public static void Mount(string path, long? sizeBytes)
    {
        Directory.CreateDirectory(path);
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (MountPoints().Contains(full))
        {
            return;
        }

        var options = "mode=0755" + (sizeBytes is { } size ? ",size=" + size.ToString(CultureInfo.InvariantCulture) : "");
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", full);
    }

    /// <summary>Unmounts everything mounted at or below <paramref name="directory"/>, deepest first.</summary>
    public static void UnmountAllUnder(string directory)
    {
        var root = Path.GetFullPath(directory).TrimEnd('/');
        foreach (var point in MountPoints().Where(p => p == root || p.StartsWith(root + "/", StringComparison.Ordinal)).OrderByDescending(p => p.Length))
        {
            try
            {
                Run("umount", "-l", point);
            }
            catch (IOException)
            {
                // Already gone (a concurrent teardown); what is left is removed with the directory.
            }
        }
    }

    /// <summary>This process's mount points, from /proc/self/mountinfo (field 5, octal escapes decoded).</summary>
    public static HashSet<string> MountPoints()
    {
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                points.Add(Unescape(fields[4]));
            }
        }

        return points;
    }

    private static string Unescape(string field)
    {
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new IOException($"{file} could not be started");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            throw new IOException($"{file} {string.Join(' ', args)} timed out");
        }

        if (process.ExitCode != 0)
        {
            throw new IOException($"{file} {string.Join(' ', args)} failed: {error.Trim()}");
        }
    }
}
