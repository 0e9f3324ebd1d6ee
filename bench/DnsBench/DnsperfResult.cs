using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.DnsBench;

/// <summary>What dnsperf reports at the end of a run.</summary>
public sealed partial record DnsperfResult(double QueriesPerSecond, double AverageLatencyMs, double LostPercent, long Completed)
{
    /// <summary>The server's CPU time over the run, when measured.</summary>
    public TimeSpan ServerCpu { get; init; }

    public double QueriesPerCpuSecond => ServerCpu > TimeSpan.Zero ? Completed / ServerCpu.TotalSeconds : double.NaN;

    public static DnsperfResult Parse(string output)
    {
        var qps = QpsLine().Match(output);
        var latency = LatencyLine().Match(output);
        var lost = LostLine().Match(output);
        var completed = CompletedLine().Match(output);
        if (!qps.Success || !latency.Success || !completed.Success)
        {
            throw new FormatException("dnsperf printed no summary:\n" + output);
        }

        return new DnsperfResult(
            double.Parse(qps.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) * 1000,
            lost.Success ? double.Parse(lost.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            long.Parse(completed.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Queries per second:\s+([0-9.]+)")]
    private static partial Regex QpsLine();

    [GeneratedRegex(@"Average Latency \(s\):\s+([0-9.]+)")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Queries completed:\s+(\d+)")]
    private static partial Regex CompletedLine();

    [GeneratedRegex(@"Queries lost:\s+\d+ \(([0-9.]+)%\)")]
    private static partial Regex LostLine();
}
