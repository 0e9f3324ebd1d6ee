namespace KubeMesh.EndToEnd;

/// <summary>Runs the real kmctl binary against the cluster, as a user types it, with the kubeconfig the AppHost wrote.</summary>
internal static class Kmctl
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string kubeconfig, params string[] args)
    {
        var result = await ChildProcess.RunAsync(
            TimeSpan.FromSeconds(60), "dotnet", [Path.Combine(AppContext.BaseDirectory, "kmctl.dll"), "--kubeconfig", kubeconfig, .. args], stdin: null);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public static string Manifest(string name) => TestManifests.Path(name);
}
