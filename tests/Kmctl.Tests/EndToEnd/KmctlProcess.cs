using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>Runs the built kmctl.dll as a child process, as a user would, with a timeout on every run.</summary>
public static class KmctlProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built with, so the sibling outputs match.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string BuildOutput(string project, string dll) =>
        Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", dll);

    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(string server, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BuildOutput("Kmctl", "kmctl.dll"));
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add(server);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kmctl {string.Join(" ", args)} did not finish in 60s");
        }

        return (process.ExitCode, await output, await error);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KubeMesh.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("KubeMesh.sln not found above " + AppContext.BaseDirectory);
    }
}
