using System.Diagnostics;

namespace KubeMesh.Bench.ApiServer;

/// <summary>Closed-loop load: C callers each issue one operation after another until the time or the count runs out.</summary>
public static class Load
{
    public const long MaxOperations = 2_000_000;

    public static async Task<double> OperationsPerSecondAsync(int concurrency, TimeSpan duration, Func<long, Task> operation)
    {
        long issued = -1;
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            long done = 0;
            while (clock.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref issued);
                if (n >= MaxOperations)
                {
                    break;
                }

                await operation(n);
                done++;
            }

            return done;
        })).ToArray();
        var completed = (await Task.WhenAll(callers)).Sum();
        return completed / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One operation at a time, each returning its own latency, until the time or <paramref name="maxSamples"/> runs out.</summary>
    public static async Task<Percentiles> LatencyAsync(TimeSpan duration, int maxSamples, Func<int, Task<TimeSpan>> sample)
    {
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && samples.Count < maxSamples)
        {
            samples.Add((await sample(samples.Count)).TotalMicroseconds);
        }

        return Percentiles.Of(samples);
    }
}
