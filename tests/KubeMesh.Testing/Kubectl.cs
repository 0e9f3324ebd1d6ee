using System.Globalization;
using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// Runs the real kubectl (on this kind of machine /usr/bin/kubectl, a dispatcher that picks 1.32 by the server's
/// minor version) against a kubeconfig, as a user types it, with a discovery cache of its own (KUBECACHEDIR) so every
/// run sees the server as it is now. Where kubectl is missing, the tests that drive it are skipped, saying so.
/// Disposing removes the cache.
/// </summary>
public sealed class Kubectl(string kubeconfig) : IDisposable
{
    // Longer than the --timeout=120s the tests give kubectl's own waits (rollout status), so kubectl says why it waited.
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(180);

    public string CacheDirectory { get; } = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;

    /// <summary>The kubectl executable; where it is missing, skips the test saying why.</summary>
    public static string Require() => Tool.Find("kubectl") ?? throw new SkipException(
        "kubectl is not installed: these tests drive the real kubectl (1.32), which Debian does not package; put it on PATH");

    /// <summary>Runs kubectl to its end; <paramref name="stdin"/>, when given, is written to it and closed.</summary>
    public Task<ProcessResult> RunAsync(string[] args, string? stdin = null, TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(timeout ?? DefaultTimeout, Require(), args, stdin, Environment());

    /// <summary>Runs kubectl and returns its standard output; a failure throws with what it printed.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} exited {result.ExitCode}: {result.Output}");
    }

    /// <summary>
    /// Starts kubectl under `timeout SECONDS`, as `timeout 5 kubectl get pods -w` is typed, and returns at once: read
    /// what it prints through <see cref="ChildProcess.Output"/>, await its exit code (124 when the time ran out).
    /// </summary>
    public ChildProcess StartWithTimeout(int seconds, params string[] args) =>
        ChildProcess.Start(Tool.Require("timeout"), [seconds.ToString(CultureInfo.InvariantCulture), Require(), .. args], stdin: null, Environment());

    public void Dispose()
    {
        try
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Dictionary<string, string?> Environment() => new(StringComparer.Ordinal)
    {
        ["KUBECONFIG"] = kubeconfig,
        ["KUBECACHEDIR"] = CacheDirectory,
        ["HOME"] = CacheDirectory,
    };
}
