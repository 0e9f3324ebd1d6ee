using System.Diagnostics;

namespace KubeMesh.EndToEnd;

/// <summary>Runs the real kmctl binary against the cluster, as a user types it.</summary>
internal static class Kmctl
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string server, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kmctl.dll"));
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add(server);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kmctl {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await output, await error);
    }

    public static string Manifest(string name) =>
        Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", name);
}
