namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>kmctl against an api-server serving TLS, with the credentials of a kubeconfig as the AppHost writes it.</summary>
public sealed class KmctlKubeconfigTests : IAsyncLifetime
{
    private readonly RedisServer _store = new();
    private readonly TestPki _pki = new();
    private ApiServerHost? _api;

    public async Task InitializeAsync()
    {
        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, _pki.ApiServerSettings, _pki.ConnectionAs("", "kubernetes-admin", "system:masters"));
    }

    [SkippableFact]
    public async Task Get_WithKubeconfigFlagOrEnvironment_ConnectsOverTls()
    {
        var kubeconfig = WriteKubeconfig();

        var byFlag = await RunAsync(new() { ["KUBECONFIG"] = null }, "--kubeconfig", kubeconfig, "get", "namespaces");
        var byEnvironment = await RunAsync(new() { ["KUBECONFIG"] = "/nonexistent/config" + Path.PathSeparator + kubeconfig }, "get", "namespaces");

        Assert.True(byFlag.ExitCode == 0, byFlag.Err);
        Assert.Contains("default", byFlag.Out, StringComparison.Ordinal);
        Assert.True(byEnvironment.ExitCode == 0, byEnvironment.Err);
        Assert.Contains("kube-system", byEnvironment.Out, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Get_WithoutTheClusterCa_FailsOnTheCertificate()
    {
        var result = await RunAsync(new() { ["KUBECONFIG"] = "/nonexistent/config" }, "--server", _api!.Address, "get", "namespaces");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.NotEmpty(result.Err);
    }

    [SkippableFact]
    public async Task Get_KubeconfigFlagNamingNoFile_SaysSo()
    {
        var result = await RunAsync([], "--kubeconfig", "/nonexistent/kubeconfig", "get", "pods");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: kubeconfig /nonexistent/kubeconfig: no such file", result.Err.Trim());
    }

    [SkippableFact]
    public async Task Trace_ExportsTheCommandsSpanToTheDashboardNamedBesideTheKubeconfig_OrToTheEnvironments()
    {
        var kubeconfig = WriteKubeconfig();
        await using var dashboard = new KubeMesh.EndToEnd.Otlp.OtlpReceiver();
        await using var collector = new KubeMesh.EndToEnd.Otlp.OtlpReceiver();
        await dashboard.StartAsync();
        await collector.StartAsync();
        var exporterFile = Path.Combine(Path.GetDirectoryName(kubeconfig)!, KubeMesh.Kmctl.Tracing.CommandTrace.ExporterFileName);
        await File.WriteAllTextAsync(exporterFile, $"# as the AppHost writes it\nOTEL_EXPORTER_OTLP_ENDPOINT={dashboard.Endpoint}\nOTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=k\n");
        var noExporter = new Dictionary<string, string?> { ["KUBECONFIG"] = null, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null };

        var fromFile = await RunAsync(noExporter, "--kubeconfig", kubeconfig, "get", "namespaces", "--trace");
        var fromEnvironment = await RunAsync(
            new() { ["KUBECONFIG"] = null, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" },
            "--kubeconfig", kubeconfig, "apply", "-f", WriteConfigMap(), "--trace");

        // The spans are exported as the command ends: the command's, the root of its trace, and under it one span per
        // call to the api-server, named for the call.
        var spans = dashboard.Trace(TraceIdOf(fromFile));
        var command = Assert.Single(spans, s => s.Scope == KubeMesh.Kmctl.Tracing.CommandTrace.SourceName);
        Assert.Equal(("kmctl", "kmctl get", ""), (command.Service, command.Name, command.ParentSpanId));
        var call = Assert.Single(spans, s => s.Scope != KubeMesh.Kmctl.Tracing.CommandTrace.SourceName);
        Assert.Equal(("kmctl", "list namespaces", command.SpanId), (call.Service, call.Name, call.ParentSpanId));
        var apply = Assert.Single(collector.Trace(TraceIdOf(fromEnvironment)), s => s.Scope == KubeMesh.Kmctl.Tracing.CommandTrace.SourceName);
        Assert.Equal(("kmctl", "kmctl apply"), (apply.Service, apply.Name));
        Assert.Empty(dashboard.Trace(TraceIdOf(fromEnvironment)));
    }

    [SkippableFact]
    public async Task Trace_WithTheDashboardGone_StillPrintsTheTraceIdAndSucceeds()
    {
        var kubeconfig = WriteKubeconfig();
        var exporterFile = Path.Combine(Path.GetDirectoryName(kubeconfig)!, KubeMesh.Kmctl.Tracing.CommandTrace.ExporterFileName);
        await File.WriteAllTextAsync(exporterFile, $"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{FreePort.Get()}\n");

        var result = await RunAsync(new() { ["KUBECONFIG"] = null, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null }, "--kubeconfig", kubeconfig, "get", "namespaces", "--trace");

        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Contains("default", result.Out, StringComparison.Ordinal);
        Assert.Matches("trace id: [0-9a-f]{32}\n$", result.Err);
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
        _pki.Dispose();
    }

    private string WriteKubeconfig()
    {
        var admin = _pki.Client("kubernetes-admin", "system:masters");
        var path = Path.Combine(_pki.Pki.Directory, "admin.conf");
        File.WriteAllLines(path,
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: kubemesh",
            "  cluster:",
            "    server: https://127.0.0.1:1",
            "    certificate-authority: " + _pki.Pki.CaFile,
            "    extensions:",
            "    - name: kubemesh.io/grpc",
            "      extension:",
            "        servers: " + _api!.Address,
            "users:",
            "- name: admin",
            "  user:",
            "    client-certificate: " + admin.CertFile,
            "    client-key: " + admin.KeyFile,
            "contexts:",
            "- name: kubemesh",
            "  context:",
            "    cluster: kubemesh",
            "    user: admin",
            "current-context: kubemesh",
        ]);
        return path;
    }

    private static string TraceIdOf((int ExitCode, string Out, string Err) result)
    {
        Assert.True(result.ExitCode == 0, result.Err);
        return System.Text.RegularExpressions.Regex.Match(result.Err, "trace id: ([0-9a-f]{32})").Groups[1].Value;
    }

    private string WriteConfigMap()
    {
        var path = Path.Combine(_pki.Pki.Directory, "traced.yaml");
        File.WriteAllText(path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: traced\n  namespace: default\ndata:\n  a: b\n");
        return path;
    }

    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        environment[KubeMesh.Client.KubeMeshClient.ServerEnvironmentVariable] = null;
        var result = await ChildProcess.RunAsync(TimeSpan.FromSeconds(60), "dotnet", [Repository.BuildOutput("Kmctl", "kmctl.dll"), .. args], null, environment);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
