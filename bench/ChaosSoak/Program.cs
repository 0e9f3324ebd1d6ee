using System.Globalization;
using KubeMesh.Bench.ApiServer;
using KubeMesh.EndToEnd;
using KubeMesh.EndToEnd.Chaos;

// ChaosSoak [--minutes N (10)] [--round-seconds S (60)] [--interval-seconds I (5)] [--seed K]
// Starts the AppHost's cluster, measures a baseline round without faults, then rounds of one fault at a time (kill -9
// of a random component, or SIGSTOP of a leader or a kubelet past its lease) until N minutes passed; prints faults by
// kind, writes acknowledged and lost, the watch histories' figures and every violation of what must never happen,
// and the convergence time after each round's last fault (p50, p99) against the baseline's.
var minutes = Option("--minutes", 10);
var roundSeconds = Option("--round-seconds", 60);
var intervalSeconds = Option("--interval-seconds", 5);
var seed = Option("--seed", Environment.TickCount);

var fixture = new ClusterFixture();
await fixture.InitializeAsync();
try
{
    using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(minutes + 30));
    var baseline = await RoundAsync([], 0, cts.Token);
    var faults = new Dictionary<string, int>();
    var convergence = new List<double>();
    int acknowledged = 0, failed = 0, lost = 0, round = 1, watchEvents = 0, reconnects = 0, relists = 0;
    var violations = new List<string>();
    var soak = System.Diagnostics.Stopwatch.StartNew();
    while (soak.Elapsed < TimeSpan.FromMinutes(minutes))
    {
        var report = await RoundAsync(ChaosOptions.AllTargets, round++, cts.Token);
        foreach (var (kind, count) in report.FaultsByTarget)
        {
            faults[kind] = faults.GetValueOrDefault(kind) + count;
        }

        convergence.Add(report.ConvergenceAfterLastFault.TotalSeconds);
        (acknowledged, failed, lost) = (acknowledged + report.WritesAcknowledged, failed + report.WritesFailed, lost + report.WritesLost.Count);
        (watchEvents, reconnects, relists) = (watchEvents + report.Watches.Events, reconnects + report.Watches.Reconnects, relists + report.Watches.Relists);
        violations.AddRange(report.Violations);
        foreach (var v in report.Violations)
        {
            Console.WriteLine($"VIOLATION {v}");
        }

        foreach (var name in report.WritesLost)
        {
            Console.WriteLine($"LOST acknowledged write {name}");
        }
    }

    var p = Percentiles.Of(convergence);
    var c = CultureInfo.InvariantCulture;
    Console.WriteLine();
    Console.WriteLine(string.Create(c, $"chaos soak: {soak.Elapsed.TotalMinutes:F1} min, {convergence.Count} rounds, seed {seed}"));
    Console.WriteLine("faults injected (kill -9, or pause: SIGSTOP for 20 s): " + string.Join(", ", faults.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}")) + $"; total {faults.Values.Sum()}");
    Console.WriteLine($"writes acknowledged {acknowledged}, not acknowledged (outcome unknown) {failed}, acknowledged but lost {lost}");
    Console.WriteLine($"watch histories: {watchEvents} events, {reconnects} reconnects, {relists} re-lists; violations (out of order, repeated, missed, extra pods, two nodes, two ordinals or Job pods at once): {violations.Count}");
    Console.WriteLine(string.Create(c, $"convergence after the last fault of a round: p50 {p.P50:F1} s, p99 {p.P99:F1} s, max {p.Max:F1} s"));
    Console.WriteLine(string.Create(c, $"baseline (same scaling, no fault): {baseline.ConvergenceAfterLastFault.TotalSeconds:F1} s; ratio p50/baseline {p.P50 / baseline.ConvergenceAfterLastFault.TotalSeconds:F2}"));
    return lost == 0 && violations.Count == 0 ? 0 : 1;
}
finally
{
    await fixture.DisposeAsync();
}

async Task<ChaosReport> RoundAsync(IReadOnlyList<string> targets, int round, CancellationToken cancellationToken)
{
    var options = new ChaosOptions(TimeSpan.FromSeconds(roundSeconds), TimeSpan.FromSeconds(intervalSeconds), targets, $"chaos-{round}-{Guid.NewGuid():N}"[..16], seed + round);
    var report = await new ChaosRun(fixture.App, fixture.Client, options, line => Console.WriteLine($"round {round}: {line}")).RunAsync(cancellationToken);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {report.FaultsByTarget.Values.Sum()} faults, {report.WritesAcknowledged} writes acknowledged, {report.WritesLost.Count} lost, converged {report.ConvergenceAfterLastFault.TotalSeconds:F1} s after the last fault"));
    return report;
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
