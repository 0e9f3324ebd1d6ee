using System.Diagnostics;
using StackExchange.Redis;

namespace KubeMesh.Bench.Scale;

/// <summary>The cluster at one moment: each component's memory and CPU time, the api-server's metrics, the store's size.</summary>
public sealed record Stage(string Name, long Timestamp, string LoadAverage, IReadOnlyDictionary<string, ProcessStats> Components, ApiMetrics Api, StoreSize Store)
{
    public static async Task<Stage> TakeAsync(string name, ScaleCluster cluster, HttpClient http) => new(
        name,
        Stopwatch.GetTimestamp(),
        ProcessStats.LoadAverage(),
        cluster.Components.Where(c => !c.HasExited).ToDictionary(c => c.Name, c => ProcessStats.Read(c.Id)),
        await ApiMetrics.ScrapeAsync(http, cluster.Metrics),
        await StoreSize.ReadAsync(cluster.Store));

    public double SecondsSince(Stage earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;

    public double CpuSince(Stage earlier, string component) =>
        Components.TryGetValue(component, out var now) && earlier.Components.TryGetValue(component, out var then) ? now.CpuSeconds - then.CpuSeconds : double.NaN;

    public long Rss(string component) => Components.TryGetValue(component, out var stats) ? stats.RssBytes : 0;
}

/// <summary>The store's memory (INFO used_memory) and what the pods' hash and watch log take of it.</summary>
public sealed record StoreSize(long UsedMemory, long PodsHash, long PodsLog, long Keys)
{
    public static async Task<StoreSize> ReadAsync(IConnectionMultiplexer store)
    {
        var db = store.GetDatabase();
        var info = (string)(await db.ExecuteAsync("INFO", "memory"))!;
        var used = info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..];
        return new StoreSize(
            long.Parse(used, System.Globalization.CultureInfo.InvariantCulture),
            await MemoryUsageAsync(db, "/registry/pods"),
            await MemoryUsageAsync(db, "/registry/pods/log"),
            (long)await db.ExecuteAsync("DBSIZE"));
    }

    private static async Task<long> MemoryUsageAsync(IDatabase db, string key)
    {
        var result = await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        return result.IsNull ? 0 : (long)result;
    }
}
