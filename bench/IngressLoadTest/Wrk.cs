using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>Runs wrk against one URL and reads its requests/s, p99 latency and errors.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string name, string url, string host, BenchOptions options, int seconds)
    {
        var info = new ProcessStartInfo(options.LoadCpu is null ? "wrk" : "taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] pinning = options.LoadCpu is null ? [] : ["-c", options.LoadCpu, "wrk"];
        foreach (var arg in pinning.Concat(["-t", options.Threads.ToString(), "-c", options.Connections.ToString(), "-d", seconds + "s", "--latency", "-H", "Host: " + host, url]))
        {
            info.ArgumentList.Add(arg);
        }

        var loadBefore = LoadAverage.Read();
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var rate = RateLine().Match(output);
        var p99 = P99Line().Match(output);
        if (process.ExitCode != 0 || !rate.Success || !p99.Success)
        {
            throw new InvalidOperationException($"wrk against {url} failed: {output}{await process.StandardError.ReadToEndAsync()}");
        }

        var non2xx = Non2xxLine().Match(output);
        var socketErrors = SocketErrorsLine().Match(output);
        return new WrkResult(
            name,
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            ToMilliseconds(p99.Groups[1].Value, p99.Groups[2].Value),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors.Success ? socketErrors.Value.Trim() : "",
            loadBefore);
    }

    private static double ToMilliseconds(string value, string unit) =>
        double.Parse(value, CultureInfo.InvariantCulture) * unit switch
        {
            "us" => 0.001,
            "ms" => 1,
            "s" => 1000,
            _ => 60_000,
        };

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"\s99%\s+([\d.]+)(us|ms|s|m)")]
    private static partial Regex P99Line();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors:.*")]
    private static partial Regex SocketErrorsLine();
}
