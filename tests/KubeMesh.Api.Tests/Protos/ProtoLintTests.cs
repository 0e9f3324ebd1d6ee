namespace KubeMesh.Api.Tests.Protos;

/// <summary>The .proto files pass `buf lint` with the rules in protos/buf.yaml, as every client generator expects.</summary>
public sealed class ProtoLintTests
{
    [SkippableFact]
    public async Task BufLint_Protos_ReportsNothing()
    {
        var result = await BufCli.RunAsync(["lint", Path.Combine(Repository.Root, "protos")]);

        Assert.True(result.ExitCode == 0, $"buf lint exited {result.ExitCode}:\n{result.Output}");
        Assert.Equal("", result.Output.Trim());
    }
}
