using System.Globalization;
using KubeMesh.Bench.ApiServer;

namespace KubeMesh.Bench.PodStart;

/// <summary>What one run measured, with the goals of the pod start benchmark: p99 under 1 s, p50 within 5x direct.</summary>
public sealed record BenchResult(BenchOptions Options, PodStartBenchmark.Result Pods, Percentiles Direct)
{
    public const double P99GoalMs = 1000;
    public const double P50Goal = 5.0;

    public double P50Ratio => Pods.Running.P50 / Direct.P50;

    public void Print(TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        var rate = Options.Rate <= 0 ? "all at once" : string.Create(c, $"{Options.Rate:0.#}/s");
        o.WriteLine(string.Create(c, $"pod start benchmark: {Options.Pods} pods ({rate}, after {Options.Warmup} warm-up pods), {Options.Nodes} node(s), busybox `{string.Join(' ', Workload.Command)}`"));
        o.WriteLine();
        o.WriteLine($"{"measurement (ms)",-40} {"p50",10} {"p99",10} {"max",10}");
        o.WriteLine(new string('-', 74));
        Row(o, "create -> Running (watch)", Pods.Running);
        Row(o, "  create -> bound (watch)", Pods.Bound);
        Row(o, "  bound -> Running (watch)", Pods.BoundToRunning);
        Row(o, "direct: Process.Start -> first line", Direct);
        o.WriteLine();
        o.WriteLine(string.Create(c, $"p99 create -> Running {Pods.Running.P99 / 1000,8:0.0} ms   goal < {P99GoalMs:0} ms       {Verdict(Pods.Running.P99 / 1000 < P99GoalMs)}"));
        o.WriteLine(string.Create(c, $"p50 ratio to direct   {P50Ratio,8:0.00} x    goal <= {P50Goal:0.0} x      {Verdict(P50Ratio <= P50Goal)}"));
    }

    private static void Row(TextWriter o, string name, Percentiles p) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {p.P50 / 1000,10:0.0} {p.P99 / 1000,10:0.0} {p.Max / 1000,10:0.0}"));

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
