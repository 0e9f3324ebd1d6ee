namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>kmctl auth whoami and can-i, through the binary, against the real api-server.</summary>
public sealed class KmctlAuthTests(ApiServerProcessFixture server) : IClassFixture<ApiServerProcessFixture>
{
    [Fact]
    public async Task WhoAmI_WithoutCredentials_IsAnonymous()
    {
        var (code, output, error) = await KmctlProcess.RunAsync(server.Address, null, "auth", "whoami");

        Assert.True(code == 0, error);
        Assert.Equal("ATTRIBUTE   VALUE\nUsername    system:anonymous\nGroups      [system:unauthenticated]\n", output);
    }

    [Fact]
    public async Task WhoAmI_As_ShowsTheImpersonatedUser()
    {
        var (code, output, error) = await KmctlProcess.RunAsync(server.Address, null, "auth", "whoami", "--as", "jane", "--as-group", "dev");

        Assert.True(code == 0, error);
        Assert.Equal("ATTRIBUTE   VALUE\nUsername    jane\nGroups      [dev system:authenticated]\n", output);
    }

    [Fact]
    public async Task CanI_OnAnAlwaysAllowServer_IsYes()
    {
        var (code, output, error) = await KmctlProcess.RunAsync(server.Address, null, "auth", "can-i", "delete", "pods", "-n", "kube-system");

        Assert.True(code == 0, error);
        Assert.Equal("yes\n", output);
    }

    [Fact]
    public async Task CanI_WithOneArgument_IsAUsageError()
    {
        var (code, _, error) = await KmctlProcess.RunAsync(server.Address, null, "auth", "can-i", "list");

        Assert.Equal((1, "error: you must specify two or three arguments: verb, resource, and optional resourceName\n"), (code, error));
    }

    [Fact]
    public async Task UnderRbac_AnonymousIsRefused_WithKubesWording()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        using var apiServer = new ApiServerProcess(redis.ConnectionString, settings: new Dictionary<string, string?> { ["Authorization__Mode"] = "Node,RBAC" });
        await apiServer.StartAsync();
        var address = apiServer.Address;

        var (getCode, _, getError) = await KmctlProcess.RunAsync(address, null, "get", "pods");
        var (canCode, _, canError) = await KmctlProcess.RunAsync(address, null, "auth", "can-i", "list", "pods");

        Assert.Equal(1, getCode);
        Assert.Contains("pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", getError, StringComparison.Ordinal);
        Assert.Equal(1, canCode);
        Assert.Contains("selfsubjectaccessreviews is forbidden: User \"system:anonymous\" cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\"", canError, StringComparison.Ordinal);
    }
}
