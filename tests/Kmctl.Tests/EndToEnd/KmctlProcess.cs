namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>Runs the built kmctl.dll as a child process, as a user would, with a timeout on every run.</summary>
public static class KmctlProcess
{
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(string server, string? stdin, params string[] args)
    {
        var result = await ChildProcess.RunAsync(TimeSpan.FromSeconds(60), "dotnet", [Repository.BuildOutput("Kmctl", "kmctl.dll"), "--server", server, .. args], stdin);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
