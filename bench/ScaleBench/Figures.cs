using System.Diagnostics;
using System.Globalization;
using KubeMesh.Bench.ApiServer;

namespace KubeMesh.Bench.Scale;

/// <summary>Figures drawn from pod timelines: sustained rates and latency percentiles.</summary>
public static class Figures
{
    public static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Milestones per second between the 10th and 90th percentile milestone: the rate once started and before the tail.</summary>
    public static double SustainedRate(IEnumerable<long> timestamps)
    {
        var sorted = timestamps.Where(t => t > 0).Order().ToList();
        if (sorted.Count < 10)
        {
            return double.NaN;
        }

        var (from, to) = (sorted.Count / 10, sorted.Count * 9 / 10);
        var seconds = Stopwatch.GetElapsedTime(sorted[from], sorted[to]).TotalSeconds;
        return seconds > 0 ? (to - from) / seconds : double.NaN;
    }

    /// <summary>Latencies in milliseconds between two milestones of each pod that has both.</summary>
    public static Percentiles Between(IEnumerable<PodTimes> pods, Func<PodTimes, long> from, Func<PodTimes, long> to) =>
        Percentiles.Of([.. pods.Where(p => from(p) > 0 && to(p) > 0).Select(p => Stopwatch.GetElapsedTime(from(p), to(p)).TotalMicroseconds)]);

    /// <summary>Seconds from <paramref name="start"/> to the last of the milestones.</summary>
    public static double SecondsToLast(long start, IEnumerable<long> timestamps) =>
        timestamps.Where(t => t > 0).DefaultIfEmpty(start).Max() is var last ? Stopwatch.GetElapsedTime(start, last).TotalSeconds : double.NaN;

    public static string Ms(double microseconds) => double.IsNaN(microseconds) ? "-" : (microseconds / 1000).ToString("#,0.0", C);

    public static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("#,0", C);

    public static string N(double value, string format = "#,0") => double.IsNaN(value) || double.IsInfinity(value) ? "-" : value.ToString(format, C);

    public static string Ratio(double value, double baseline) => N(value / baseline, "0.00");

    public static string Verdict(bool met) => met ? "met" : "MISSED";
}
