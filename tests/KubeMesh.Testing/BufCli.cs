using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// The buf command-line tool: `buf curl`, a real gRPC client that finds methods by server reflection as grpcurl does,
/// and `buf lint`. Found as $KUBEMESH_BUF, else on PATH, else where tests/run installs it from npm
/// (~/.cache/kubemesh-tools). Where it is missing, the tests that drive it are skipped, saying how to install it.
/// </summary>
public static class BufCli
{
    public const string NpmPackage = "@bufbuild/buf@1.75.0";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static string ToolsDirectory { get; } =
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kubemesh-tools");

    /// <summary>The buf executable, or null when it is not installed.</summary>
    public static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("KUBEMESH_BUF");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        var installed = System.IO.Path.Combine(ToolsDirectory, "node_modules", ".bin", "buf");
        return Tool.Find("buf") ?? (File.Exists(installed) ? installed : null);
    }

    /// <summary>The buf executable; where it is missing, skips the test saying how to install it.</summary>
    public static string Require() => Find() ?? throw new SkipException(
        $"buf is not installed: tests/run installs it (npm install --prefix {ToolsDirectory} {NpmPackage}), or set KUBEMESH_BUF to a buf binary");

    /// <summary>Runs buf to its end (killed and failed after the timeout, 60 s by default).</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(timeout ?? DefaultTimeout, Require(), args, stdin);

    /// <summary>Starts a buf that runs until disposed (a `buf curl` of a Watch); read it through <see cref="ChildProcess.Output"/>.</summary>
    public static ChildProcess Start(IEnumerable<string> args, string? stdin = null) => ChildProcess.Start(Require(), args, stdin);
}
