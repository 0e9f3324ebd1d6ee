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

    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        environment[KubeMesh.Client.KubeMeshClient.ServerEnvironmentVariable] = null;
        var result = await ChildProcess.RunAsync(TimeSpan.FromSeconds(60), "dotnet", [Repository.BuildOutput("Kmctl", "kmctl.dll"), .. args], null, environment);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
