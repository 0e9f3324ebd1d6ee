namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>The binary's failures that need no api-server: one line on stderr, exit code 1.</summary>
public sealed class KmctlErrorTests
{
    [Fact]
    public async Task Get_UnreachableServer_PrintsOneLineNamingTheAddress()
    {
        var port = FreePort.Get();
        var (code, output, error) = await KmctlProcess.RunAsync($"http://127.0.0.1:{port}", null, "get", "pods");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?\n", error);
    }

    [Fact]
    public async Task Get_UnknownResourceType_ReportsItWithoutCallingTheServer()
    {
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", null, "get", "foo");
        Assert.Equal((1, "error: the server doesn't have a resource type \"foo\"\n"), (code, error));
    }

    [Fact]
    public async Task Get_BadFlag_ReportsUnknownFlag()
    {
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", null, "get", "pods", "--bogus");
        Assert.Equal((1, "error: unknown flag: --bogus\n"), (code, error));
    }

    [Theory]
    [InlineData("exec", "-it", "web", "--", "sh")]
    [InlineData("exec", "-i", "web", "--", "sh")]
    public async Task Exec_Interactive_RefusedWithoutCallingTheServer(params string[] args)
    {
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", null, args);
        Assert.Equal(1, code);
        Assert.StartsWith("error: -i/--stdin and -t/--tty are not supported", error);
    }

    [Fact]
    public async Task Exec_WithoutCommand_ReportsItWithoutCallingTheServer()
    {
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", null, "exec", "web");
        Assert.Equal((1, "error: you must specify at least one command for the container\n"), (code, error));
    }

    [Fact]
    public async Task Apply_UndecodableManifest_ReportsFieldPathAndSendsNothing()
    {
        const string manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    bogusField: 1\n";
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", manifest, "apply", "-f", "-");
        Assert.Equal(1, code);
        Assert.Contains("spec.containers[0].bogusField", error);
        Assert.DoesNotContain("connection", error);
    }
}
