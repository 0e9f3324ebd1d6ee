using System.Globalization;

namespace KubeMesh.Bench.PodStart;

/// <summary>Command line: --pods N, --nodes K, --rate R (pods created per second; 0 = all at once), --warmup W.</summary>
public sealed record BenchOptions(int Pods, int Nodes, double Rate, int Warmup)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(100, 1, 10, 5);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--pods" => options with { Pods = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 1, 1000) },
                "--nodes" => options with { Nodes = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 1, 10) },
                "--rate" => options with { Rate = Math.Clamp(double.Parse(value, CultureInfo.InvariantCulture), 0, 1000) },
                "--warmup" => options with { Warmup = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 0, 100) },
                _ => throw new ArgumentException($"unknown option {args[i]} {value} (use --pods 1-1000, --nodes 1-10, --rate 0-1000, --warmup 0-100)"),
            };
            i++;
        }

        return options;
    }

    /// <summary>When the n-th start is due, from the start of a phase: both phases follow the same schedule.</summary>
    public TimeSpan DueAt(int n) => Rate <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(n / Rate);
}
