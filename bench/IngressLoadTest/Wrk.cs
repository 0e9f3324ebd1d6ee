using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// Runs wrk against one URL, or spread over several addresses by a script, and reads its requests/s, p99 latency
/// and errors.
/// </summary>
internal static partial class Wrk
{
    /// <param name="script">A wrk Lua script (see <see cref="SpreadScript"/>), or null.</param>
    /// <param name="proxy">The proxy process whose CPU time per request to report, or null.</param>
    public static async Task<WrkResult> RunAsync(string name, string url, string host, BenchOptions options, int seconds, string? script = null, int? proxy = null)
    {
        var info = new ProcessStartInfo(options.LoadCpu is null ? "wrk" : "taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] pinning = options.LoadCpu is null ? [] : ["-c", options.LoadCpu, "wrk"];
        string[] scripting = script is null ? [] : ["-s", script];
        foreach (var arg in pinning.Concat(["-t", options.Threads.ToString(), "-c", options.Connections.ToString(), "-d", seconds + "s", "--latency", .. scripting, "-H", "Host: " + host, url]))
        {
            info.ArgumentList.Add(arg);
        }

        var loadBefore = LoadAverage.Read();
        var cpuBefore = proxy is { } before ? ProcessCpu.Of(before) : default;
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

        var cpu = proxy is { } after ? ProcessCpu.Of(after) - cpuBefore : default;
        var requests = RequestsLine().Match(output);
        var count = requests.Success ? long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        double? cpuPerRequest = proxy is not null && count > 0 ? cpu.Total.TotalMicroseconds / count : null;
        double? userPerRequest = proxy is not null && count > 0 ? cpu.User.TotalMicroseconds / count : null;
        var non2xx = Non2xxLine().Match(output);
        var socketErrors = SocketErrorsLine().Match(output);
        return new WrkResult(
            name,
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            ToMilliseconds(p99.Groups[1].Value, p99.Groups[2].Value),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors.Success ? socketErrors.Value.Trim() : "",
            loadBefore,
            cpuPerRequest,
            userPerRequest);
    }

    /// <summary>
    /// Writes a wrk script that points thread i at address i modulo the count (wrk connects each thread's connections
    /// to one address), so with as many threads as pods the load is spread evenly over them, as a Service would.
    /// </summary>
    public static string SpreadScript(IReadOnlyList<string> addresses, DirectoryInfo directory)
    {
        var list = string.Join(", ", addresses.Select(a => a.Split(':') is [var ip, var port] ? $"{{\"{ip}\", \"{port}\"}}" : throw new ArgumentException($"not IP:port: {a}")));
        var script = $$"""
            local targets = { {{list}} }
            local count = 0
            function setup(thread)
              local target = targets[count % #targets + 1]
              count = count + 1
              thread.addr = wrk.lookup(target[1], target[2])[1]
            end
            """;
        var file = Path.Combine(directory.FullName, "spread.lua");
        File.WriteAllText(file, script);
        return file;
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

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors:.*")]
    private static partial Regex SocketErrorsLine();
}
