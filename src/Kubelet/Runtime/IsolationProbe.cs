using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Finds out once, at startup, how containers can be isolated here by starting a throw-away container
/// that writes to its private /tmp: namespaces as root, a user namespace otherwise, else none (loudly).
/// A probe that is merely slow (a loaded machine) proves nothing, so it is tried again with twice the time
/// before its mode is given up: falling back would silently leave every container without its volumes.
/// </summary>
internal static class IsolationProbe
{
    private const int Attempts = 3;

    public static readonly TimeSpan FirstAttemptTimeout = TimeSpan.FromSeconds(10);

    public static Task<(IsolationMode Mode, string Failure)> DetectAsync(IsolationMode requested, string initScript,
        string stateDirectory, ILogger logger, CancellationToken cancellationToken) =>
        DetectAsync(requested, initScript, stateDirectory, FirstAttemptTimeout, logger, cancellationToken);

    public static async Task<(IsolationMode Mode, string Failure)> DetectAsync(IsolationMode requested, string initScript,
        string stateDirectory, TimeSpan firstAttemptTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        if (requested == IsolationMode.None)
        {
            return (IsolationMode.None, "disabled by configuration");
        }

        IsolationMode[] candidates = requested != IsolationMode.Auto ? [requested]
            : NativeMethods.GetEffectiveUserId() == 0 ? [IsolationMode.Namespaces, IsolationMode.UserNamespace]
            : [IsolationMode.UserNamespace];
        var failures = new List<string>();
        foreach (var mode in candidates)
        {
            var failure = await TryPatientlyAsync(mode, initScript, stateDirectory, firstAttemptTimeout, cancellationToken);
            if (failure is null)
            {
                RuntimeLog.IsolationChosen(logger, mode);
                return (mode, "");
            }

            failures.Add($"{mode}: {failure}");
        }

        var reason = string.Join("; ", failures);
        RuntimeLog.IsolationOff(logger, reason);
        return (IsolationMode.None, reason);
    }

    private static async Task<string?> TryPatientlyAsync(IsolationMode mode, string initScript, string stateDirectory,
        TimeSpan firstAttemptTimeout, CancellationToken cancellationToken)
    {
        var timeout = firstAttemptTimeout;
        for (var attempt = 1; ; attempt++, timeout *= 2)
        {
            var (failure, timedOut) = await TryAsync(mode, initScript, stateDirectory, timeout, cancellationToken);
            if (!timedOut || attempt == Attempts)
            {
                return failure;
            }
        }
    }

    private static async Task<(string? Failure, bool TimedOut)> TryAsync(IsolationMode mode, string initScript, string stateDirectory,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = Path.Combine(ContainerRecord.DirectoryIn(stateDirectory), "probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(probe, "rootfs"));
        var mounts = Path.Combine(probe, "mounts");
        await File.WriteAllTextAsync(mounts, "", cancellationToken);
        try
        {
            var env = new Dictionary<string, string> { ["PATH"] = ContainerEnvironment.DefaultPath };
            var info = ContainerLaunch.Create(mode, initScript, Path.Combine(probe, "rootfs"), mounts, "probe", "",
                ["/bin/sh", "-c", "echo probe > /tmp/probe && cat /tmp/probe"], env, []);
            using var process = await ProcessLauncher.StartAsync(info);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                return ($"no answer within {timeout.TotalSeconds:0.#} s", true);
            }

            return (process.ExitCode == 0 && (await output).Trim() == "probe" ? null : $"exit {process.ExitCode}: {(await error).Trim()}", false);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return (ex.Message, false);
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }
}
