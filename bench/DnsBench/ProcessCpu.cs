using System.Globalization;

namespace KubeMesh.DnsBench;

/// <summary>
/// CPU time a process has used (user + system, from /proc/PID/stat). Queries per CPU-second do not depend on
/// how much of the pinned core other work on the machine leaves a server, as queries per second do.
/// </summary>
public static class ProcessCpu
{
    /// <summary>Linux's USER_HZ: /proc reports times in these ticks (100 on every mainstream architecture).</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Used(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; fields after its closing parenthesis split cleanly.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
