using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// CPU time of a process and its descendants (nginx's workers are its master's children), read from /proc. On a
/// machine other work keeps busy, a proxy's CPU time per request is the figure that work skews least: requests/s
/// falls with the share of the cores a proxy gets, its CPU per request hardly moves. User and kernel time apart: on
/// loopback most of a proxy's time is the kernel's (sending wakes the receiver), the same for every proxy, and what
/// one proxy's code costs over another's shows in user time.
/// </summary>
internal static partial class ProcessCpu
{
    /// <summary>CPU time spent in user space and in the kernel, one process or a sum.</summary>
    public readonly record struct Time(TimeSpan User, TimeSpan Kernel)
    {
        public TimeSpan Total => User + Kernel;

        public static Time operator -(Time a, Time b) => new(a.User - b.User, a.Kernel - b.Kernel);
    }

    public static Time Of(int pid)
    {
        var total = default(Time);
        foreach (var id in Tree(pid))
        {
            try
            {
                using var process = Process.GetProcessById(id);
                total = new(total.User + process.UserProcessorTime, total.Kernel + process.PrivilegedProcessorTime);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Exited between the listing and the read.
            }
        }

        return total;
    }

    /// <summary>
    /// The process listening on <paramref name="url"/>'s address and port (ss names it), or null if none is found. Pods
    /// listen on the same port at their own addresses, so the local address must match, not just the port.
    /// </summary>
    public static int? ListeningOn(Uri url)
    {
        var info = new ProcessStartInfo("ss", ["-Hltnp", $"sport = :{url.Port}"]) { RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        var local = $"{url.Host}:{url.Port}";
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && (fields[3] == local || fields[3] == $"0.0.0.0:{url.Port}" || fields[3] == $"*:{url.Port}") && PidField().Match(line) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static List<int> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex PidField();
}
