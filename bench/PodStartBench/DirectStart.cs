using System.Diagnostics;
using KubeMesh.Bench.ApiServer;

namespace KubeMesh.Bench.PodStart;

/// <summary>The baseline: the same workload started as a plain local process, from Process.Start to its first line.</summary>
public static class DirectStart
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<Percentiles> MeasureAsync(BenchOptions options)
    {
        var processes = new List<Process>();
        var samples = new double[options.Pods];
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, options.Pods).Select(async n =>
            {
                await Pacing.WaitUntilAsync(clock, options.DueAt(n));
                var start = Stopwatch.GetTimestamp();
                var info = new ProcessStartInfo(Workload.Command[0]) { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var arg in Workload.Command[1..])
                {
                    info.ArgumentList.Add(arg);
                }

                var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
                lock (processes)
                {
                    processes.Add(process);
                }

                _ = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the workload ended without output");
                samples[n] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            })).WaitAsync(Timeout);
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }

        return Percentiles.Of([.. samples]);
    }
}
