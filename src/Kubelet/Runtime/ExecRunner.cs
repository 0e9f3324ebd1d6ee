using System.Diagnostics;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>Runs an exec command to completion, or to its timeout or cancellation, killing what it started then.</summary>
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
            await KillAsync(process);
        }

        var output = await stdout + await stderr;
        return new ExecResult(timedOut ? -1 : process.ExitCode, output.Length > MaxOutput ? output[..MaxOutput] : output, timedOut);
    }

    /// <summary>
    /// Runs the command until it exits, handing its stdout (false) and stderr (true) to <paramref name="output"/>
    /// chunk by chunk as written, never two at once; cancelling, or a failure to deliver output, kills it. Returns
    /// the exit code. <paramref name="stdin"/>, when given, writes the command's stdin until it returns (then stdin
    /// closes); the command's end does not wait for it.
    /// </summary>
    public static async Task<int> StreamAsync(
        ProcessStartInfo info, Func<bool, ReadOnlyMemory<byte>, Task> output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? stdin = null)
    {
        using var process = await ProcessLauncher.StartAsync(info);
        using var stopInput = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = stdin is null ? CloseInput(process) : PumpInputAsync(process, stdin, stopInput.Token);
        using var turn = new SemaphoreSlim(1);
        async Task PumpAsync(Stream stream, bool error)
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
            {
                await turn.WaitAsync(CancellationToken.None);
                try
                {
                    await output(error, buffer.AsMemory(0, read));
                }
                finally
                {
                    turn.Release();
                }
            }
        }

        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream, false), PumpAsync(process.StandardError.BaseStream, true));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            await pumps.WaitAsync(cancellationToken);
        }
        catch
        {
            // Cancelled, or the output could not be delivered (the caller went away): the command must not outlive it.
            await KillAsync(process);
            await pumps.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
            throw;
        }
        finally
        {
            await stopInput.CancelAsync();
            await input;
        }

        return process.ExitCode;
    }

    private static Task CloseInput(Process process)
    {
        process.StandardInput.Close();
        return Task.CompletedTask;
    }

    /// <summary>Writes stdin until the writer is done, the command exits (a broken pipe) or the call ends; then closes it.</summary>
    private static async Task PumpInputAsync(Process process, Func<Stream, CancellationToken, Task> stdin, CancellationToken cancellationToken)
    {
        try
        {
            await stdin(process.StandardInput.BaseStream, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command already exited and closed its end.
            }
        }
    }

    private static async Task KillAsync(Process process)
    {
        // nsenter forks into the container's PID namespace; its child is the command.
        foreach (var child in ProcessInfo.Children(process.Id))
        {
            NativeMethods.Kill(child, NativeMethods.SigKill);
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
    }
}
