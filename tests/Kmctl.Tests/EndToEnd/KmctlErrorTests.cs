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
    public async Task Get_ServerThatAcceptsAndHangsUp_IsNotCalledRefused()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var hangUp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                client.Client.Close(0);
            }
        });

        var (code, output, error) = await KmctlProcess.RunAsync($"http://127.0.0.1:{port}", null, "get", "pods");
        await stop.CancelAsync();

        Assert.Equal((1, ""), (code, output));
        Assert.StartsWith($"Unable to connect to the server 127.0.0.1:{port}: ", error, StringComparison.Ordinal);
        Assert.True(error.TrimEnd('\n').Split('\n').Length == 1, error);
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

    [Theory]
    [InlineData("alias-cycle.yaml", "yaml: line 6, column 6: anchor \"x\" value contains itself")]
    [InlineData("nested-brackets.yaml", "yaml: line 5, column 107: exceeded max depth of 100 for flow collections ([...] and {...})")]
    [InlineData("billion-laughs.yaml", "document contains excessive aliasing")]
    public async Task Apply_ManifestThatKilledTheApiServer_IsRefusedWithTheServersMessageBeforeSending(string file, string message)
    {
        var manifest = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", "hostile", file));

        var (code, output, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", manifest, "apply", "-f", "-");

        Assert.Equal((1, ""), (code, output));
        Assert.StartsWith("error: error validating \"STDIN\": ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("connection", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_AliasCycle_IsRefusedBeforeSending()
    {
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata: &x\n  a: *x\n";

        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", manifest, "delete", "-f", "-");

        Assert.Equal((1, "error: error parsing STDIN: yaml: line 6, column 6: anchor \"x\" value contains itself\n"), (code, error));
    }

    [Fact]
    public async Task Apply_FileLargerThanARequest_IsRefusedWithoutReadingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kmctl-large-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: " + new string('x', 4 * 1024 * 1024) + "\n");
        try
        {
            var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", null, "apply", "-f", path);

            var size = new FileInfo(path).Length;
            Assert.Equal((1, $"error: error validating \"{path}\": manifest too large: {size} bytes, more than the 3145728 bytes (3 MiB) a request may carry\n"), (code, error));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Apply_StdinLargerThanARequest_IsRefusedOnceItPassesTheLimit()
    {
        // One byte over: kmctl has read everything by the time it knows, so the writer is never cut off.
        var (code, _, error) = await KmctlProcess.RunAsync("http://127.0.0.1:1", new string('#', (3 * 1024 * 1024) + 1), "apply", "-f", "-");

        Assert.Equal((1, "error: error validating \"STDIN\": manifest too large: more than the 3145728 bytes (3 MiB) a request may carry\n"), (code, error));
    }
}
