using System.Globalization;

namespace KubeMesh.Bench.ApiServer;

/// <summary>Command line: --store redis|garnet, --seconds N (per measurement), --concurrency C, --watchers W (fan-out; 0: none),
/// --pod-path N (only the per-verb CPU of N pods' calls; see <see cref="PodPathBenchmark"/>).</summary>
public sealed record BenchOptions(string Store, int Seconds, int Concurrency, int Watchers, int PodPath = 0)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions("redis", 5, 32, 50);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--store" when value is "redis" or "garnet" => options with { Store = value },
                "--seconds" => options with { Seconds = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 1, 60) },
                "--concurrency" => options with { Concurrency = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 1, 256) },
                "--watchers" => options with { Watchers = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 0, 1000) },
                "--pod-path" => options with { PodPath = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 1, 100_000) },
                _ => throw new ArgumentException($"unknown option {args[i]} {value} (use --store redis|garnet, --seconds 1-60, --concurrency 1-256, --watchers 0-1000, --pod-path 1-100000)"),
            };
            i++;
        }

        return options;
    }
}
