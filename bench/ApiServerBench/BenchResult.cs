using System.Globalization;

namespace KubeMesh.Bench.ApiServer;

/// <summary>What one run measured, printed as a table with the ratios the issue sets as goals.</summary>
public sealed record BenchResult(
    BenchOptions Options, double CreatesPerSecond, double CpuPerCreate, double SetsPerSecond,
    Percentiles WatchDelivery, Percentiles CreateCall, Percentiles PubSub, Percentiles GrpcGet, Percentiles RawHget, int PayloadBytes,
    IReadOnlyList<(string Layer, double PerSecond)> CreateLayers, EtcdBaseline Etcd, string LoadBefore, string LoadAfter)
{
    public const double CreateGoal = 0.3;
    public const double EtcdGoal = 1.5;
    public const double WatchGoal = 5.0;

    public double CreateRatio => CreatesPerSecond / SetsPerSecond;

    public double? EtcdRatio => CreatesPerSecond / Etcd.PutsPerSecond;

    public double WatchRatio => WatchDelivery.P99 / PubSub.P99;

    public bool MeetsGoals => CreateRatio >= CreateGoal && WatchRatio <= WatchGoal && EtcdRatio is not < EtcdGoal;

    public FanOut? FanOut { get; init; }

    public void Print(TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"api-server benchmark: store={Options.Store} (acknowledged after fsync), {Options.Seconds} s per measurement, {Options.Concurrency} concurrent callers, payload {PayloadBytes} B"));
        o.WriteLine(Etcd.PutsPerSecond is null ? $"etcd baseline: {Etcd.Unavailable}" : $"etcd baseline: etcd {Etcd.Version ?? "(version unknown)"}, one member, default WAL fsync, gRPC KV Put");
        o.WriteLine($"load average (1, 5, 15 min): {LoadBefore} at start, {LoadAfter} at end");
        o.WriteLine();
        o.WriteLine($"{"measurement",-44} {"result",14} {"baseline",14} {"ratio",8} {"goal",10}");
        o.WriteLine(new string('-', 94));
        o.WriteLine(string.Create(c, $"{"creates/s (gRPC Create) vs raw SET/s",-44} {CreatesPerSecond,14:N0} {SetsPerSecond,14:N0} {CreateRatio,8:0.00} {">= " + CreateGoal.ToString("0.0", c),10} {Verdict(CreateRatio >= CreateGoal)}"));
        o.WriteLine(EtcdRatio is { } etcdRatio
            ? string.Create(c, $"{"creates/s (gRPC Create) vs etcd puts/s",-44} {CreatesPerSecond,14:N0} {Etcd.PutsPerSecond,14:N0} {etcdRatio,8:0.00} {">= " + EtcdGoal.ToString("0.0", c),10} {Verdict(etcdRatio >= EtcdGoal)}")
            : $"{"creates/s (gRPC Create) vs etcd puts/s",-44} {"not measured: " + Etcd.Unavailable}");
        if (Etcd.CpuPerPut is { } cpuPerPut)
        {
            o.WriteLine(string.Create(c, $"{"CPU us per write vs etcd (whole system)",-44} {CpuPerCreate,14:N0} {cpuPerPut,14:N0} {CpuPerCreate / cpuPerPut,8:0.00}"));
        }
        else
        {
            o.WriteLine(string.Create(c, $"{"CPU us per create (whole system)",-44} {CpuPerCreate,14:N0}"));
        }

        o.WriteLine(string.Create(c, $"{"watch p99 vs raw pub/sub p99 (us)",-44} {WatchDelivery.P99,14:N0} {PubSub.P99,14:N0} {WatchRatio,8:0.00} {"<= " + WatchGoal.ToString("0.0", c),10} {Verdict(WatchRatio <= WatchGoal)}"));
        o.WriteLine(string.Create(c, $"{"watch p50 vs raw pub/sub p50 (us)",-44} {WatchDelivery.P50,14:N0} {PubSub.P50,14:N0} {WatchDelivery.P50 / PubSub.P50,8:0.00}"));
        if (Etcd.WatchDelivery is { } etcdWatch)
        {
            o.WriteLine(string.Create(c, $"{"watch p99 vs etcd watch p99 (us)",-44} {WatchDelivery.P99,14:N0} {etcdWatch.P99,14:N0} {WatchDelivery.P99 / etcdWatch.P99,8:0.00}"));
            o.WriteLine(string.Create(c, $"{"watch p50 vs etcd watch p50 (us)",-44} {WatchDelivery.P50,14:N0} {etcdWatch.P50,14:N0} {WatchDelivery.P50 / etcdWatch.P50,8:0.00}"));
        }
        o.WriteLine();
        o.WriteLine(string.Create(c, $"writes/s by layer ({Options.Concurrency} concurrent callers):"));
        foreach (var (layer, perSecond) in CreateLayers)
        {
            o.WriteLine(string.Create(c, $"  {layer,-42} {perSecond,10:N0}/s  ({perSecond / SetsPerSecond,5:0.00} x raw SET)"));
        }

        if (Etcd.PutsPerSecond is { } puts)
        {
            o.WriteLine(string.Create(c, $"  {"etcd Put (gRPC KV, baseline)",-42} {puts,10:N0}/s  ({puts / SetsPerSecond,5:0.00} x raw SET)"));
        }

        if (FanOut is { } fan)
        {
            o.WriteLine(string.Create(c, $"  {"gRPC Create, " + fan.Watchers + " watches open",-42} {fan.CreatesPerSecond,10:N0}/s  ({fan.CreatesPerSecond / SetsPerSecond,5:0.00} x raw SET); {fan.EventsPerSecond:N0} watch events/s delivered, {fan.CpuPerEvent:N1} CPU us per event"));
        }

        o.WriteLine();
        o.WriteLine("where the time goes (one call in flight, microseconds):");
        Row(o, "watch delivery (before Create -> event)", WatchDelivery);
        Row(o, "  of which the Create call itself", CreateCall);
        if (Etcd.WatchDelivery is { } etcdDelivery)
        {
            Row(o, "etcd watch delivery (before Put -> event)", etcdDelivery);
        }

        Row(o, "raw PUBLISH -> subscriber", PubSub);
        Row(o, "gRPC Get (api-server + one HGET)", GrpcGet);
        Row(o, "raw HGET", RawHget);
    }

    private static void Row(TextWriter o, string name, Percentiles p) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-42} n={p.Count,-6} p50={p.P50,8:N0}  p99={p.P99,8:N0}  max={p.Max,8:N0}"));

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}

/// <summary>etcd's puts/s and Put-to-watch-event latency in the same run, or why they were not measured.</summary>
public sealed record EtcdBaseline(double? PutsPerSecond, string? Version, string? Unavailable, Percentiles? WatchDelivery)
{
    /// <summary>CPU microseconds per Put, etcd's and the bench's own (its callers) together, as a create's are counted.</summary>
    public double? CpuPerPut { get; init; }
}

/// <summary>Creates with many watches open: creates/s, events delivered/s over all watches, CPU microseconds per delivered event.</summary>
public sealed record FanOut(int Watchers, double CreatesPerSecond, double EventsPerSecond, double CpuPerEvent);

/// <summary>The machine's load average, which skews every absolute figure of a run.</summary>
public static class LoadAverage
{
    public static string Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
