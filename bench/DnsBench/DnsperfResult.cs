using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.DnsBench;

/// <summary>What dnsperf reports at the end of a run.</summary>
public sealed partial record DnsperfResult(double QueriesPerSecond, double AverageLatencyMs, double LostPercent)
{
    public static DnsperfResult Parse(string output)
    {
        var qps = QpsLine().Match(output);
        var latency = LatencyLine().Match(output);
        var lost = LostLine().Match(output);
        if (!qps.Success || !latency.Success)
        {
            throw new FormatException("dnsperf printed no summary:\n" + output);
        }

        return new DnsperfResult(
            double.Parse(qps.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) * 1000,
            lost.Success ? double.Parse(lost.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    [GeneratedRegex(@"Queries per second:\s+([0-9.]+)")]
    private static partial Regex QpsLine();

    [GeneratedRegex(@"Average Latency \(s\):\s+([0-9.]+)")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Queries lost:\s+\d+ \(([0-9.]+)%\)")]
    private static partial Regex LostLine();
}
