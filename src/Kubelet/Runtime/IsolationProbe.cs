using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Finds out once, at startup, how containers can be isolated here by starting a throw-away container
/// that writes to its private /tmp: namespaces as root, a user namespace otherwise, else none (loudly).
/// </summary>
internal static class IsolationProbe
{
    public static async Task<(IsolationMode Mode, string Failure)> DetectAsync(IsolationMode requested, string initScript,
        string stateDirectory, ILogger logger, CancellationToken cancellationToken)
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
            var failure = await TryAsync(mode, initScript, stateDirectory, cancellationToken);
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

    private static async Task<string?> TryAsync(IsolationMode mode, string initScript, string stateDirectory, CancellationToken cancellationToken)
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
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 && (await output).Trim() == "probe" ? null : $"exit {process.ExitCode}: {(await error).Trim()}";
        }
        catch (Exception ex) when (ex is OperationCanceledException or Win32Exception or InvalidOperationException)
        {
            return ex.Message;
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }
}
