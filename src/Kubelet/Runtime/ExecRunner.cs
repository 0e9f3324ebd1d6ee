using System.Diagnostics;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>Runs an exec command to completion or to its timeout, killing what it started on timeout.</summary>
internal static class ExecRunner
{
    /// <summary>Like the kubelet, keep only the start of a probe's output.</summary>
    private const int MaxOutput = 10 * 1024;

    public static async Task<ExecResult> RunAsync(ProcessStartInfo info, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = await ProcessLauncher.StartAsync(info);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            // nsenter forks into the container's PID namespace; its child is the command.
            foreach (var child in ProcessInfo.Children(process.Id))
            {
                NativeMethods.Kill(child, NativeMethods.SigKill);
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var output = await stdout + await stderr;
        return new ExecResult(timedOut ? -1 : process.ExitCode, output.Length > MaxOutput ? output[..MaxOutput] : output, timedOut);
    }
}
