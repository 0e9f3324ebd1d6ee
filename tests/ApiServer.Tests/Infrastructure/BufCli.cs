using System.Diagnostics;
using System.Text;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>
/// The `buf curl` command-line gRPC client: KUBEMESH_BUF, else `buf` on PATH, else where the project's tools
/// install it (/tmp/buftool). Null when none is installed.
/// </summary>
public static class BufCli
{
    public static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("KUBEMESH_BUF");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? fromEnv : null;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "buf"))
            .FirstOrDefault(File.Exists);
        const string tools = "/tmp/buftool/node_modules/.bin/buf";
        return onPath ?? (File.Exists(tools) ? tools : null);
    }

    /// <summary>Starts buf with its standard output read line by line into <paramref name="lines"/>.</summary>
    public static Process Start(string buf, IEnumerable<string> args, string? stdin, Action<string> onLine)
    {
        var start = new ProcessStartInfo(buf)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine("stderr: " + e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs buf to completion and returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string buf, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var output = new StringBuilder();
        using var process = Start(buf, args, stdin, line => { lock (output) { output.AppendLine(line); } });
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"buf {string.Join(' ', args)} did not finish in time:\n{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
