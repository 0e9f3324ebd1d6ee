using System.Globalization;

namespace KubeMesh.Bench.Scale;

/// <summary>A process's resident memory now and at its peak, and the CPU time it has used, from /proc.</summary>
public sealed record ProcessStats(long RssBytes, long PeakRssBytes, double CpuSeconds)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessStats Read(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line);
            }
        }

        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th of them.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessStats(rss, peak, ticks / TicksPerSecond);
    }

    /// <summary>The 1-minute load average, for every figure printed.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static long Kib(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
