using System.Globalization;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// Command line: --nodes N hollow nodes (1000), --pods P for the mixed run (10000), --deployment R replicas for the
/// one-Deployment run (10000; 0 skips it), --watchers W for the fan-out run (100; 0 skips it), --fanout-pods F (1000),
/// --concurrency C of the bench's own calls (50), --timeout S seconds per phase (300).
/// </summary>
public sealed record BenchOptions(int Nodes, int Pods, int Deployment, int Watchers, int FanOutPods, int Concurrency, int Timeout)
{
    public const string Usage = """
        usage: ScaleBench [--nodes N] [--pods P] [--deployment R] [--watchers W] [--fanout-pods F] [--concurrency C] [--timeout S]
          --nodes N         hollow nodes (1000)
          --pods P          pods of the mixed run: Deployments and bare pods with requests and nodeSelectors (10000)
          --deployment R    replicas of the one-Deployment run (10000; 0 skips it)
          --watchers W      extra watchers of all pods for the fan-out run (100; 0 skips it)
          --fanout-pods F   pods created during the fan-out run (1000)
          --concurrency C   the bench's own concurrent calls (50)
          --timeout S       seconds each phase may take (300)
        """;

    /// <exception cref="ArgumentException">An unknown option, or one without a whole number after it; the message says which.</exception>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(1000, 10_000, 10_000, 100, 1000, 50, 300);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"{args[i]} needs a whole number after it");
            }

            options = args[i] switch
            {
                "--nodes" => options with { Nodes = Math.Clamp(value, 1, 5000) },
                "--pods" => options with { Pods = Math.Clamp(value, 10, 100_000) },
                "--deployment" => options with { Deployment = Math.Clamp(value, 0, 100_000) },
                "--watchers" => options with { Watchers = Math.Clamp(value, 0, 1000) },
                "--fanout-pods" => options with { FanOutPods = Math.Clamp(value, 10, 100_000) },
                "--concurrency" => options with { Concurrency = Math.Clamp(value, 1, 1000) },
                "--timeout" => options with { Timeout = Math.Clamp(value, 10, 3600) },
                _ => throw new ArgumentException($"unknown option {args[i]} (use --nodes, --pods, --deployment, --watchers, --fanout-pods, --concurrency, --timeout)"),
            };
        }

        return options;
    }

    public TimeSpan PhaseTimeout => TimeSpan.FromSeconds(Timeout);
}
