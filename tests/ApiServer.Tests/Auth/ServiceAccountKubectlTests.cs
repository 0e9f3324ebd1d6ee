namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>The real kubectl: get sa, create token, and the token used as kubectl's credential.</summary>
[Collection(ServiceAccountCollection.Name)]
public sealed class ServiceAccountKubectlTests(ServiceAccountFixture fixture) : IDisposable
{
    private readonly TokenKubectls _kubectls = new();

    public void Dispose() => _kubectls.Dispose();

    [SkippableFact]
    public async Task CreateToken_ThenWhoAmI_IsTheServiceAccount()
    {
        var admin = As(ServiceAccountFixture.Admin);
        var accounts = await admin.OkAsync("get", "sa", "-n", ServiceAccountFixture.Namespace, "-o", "name");
        Assert.Contains("serviceaccount/reader", accounts);
        Assert.Contains("serviceaccount/robot", accounts);

        var token = (await admin.OkAsync("create", "token", "reader", "-n", ServiceAccountFixture.Namespace, "--duration", "15m")).Trim();
        var reader = As(token);
        var whoami = await reader.OkAsync("auth", "whoami");
        Assert.Matches(@"Username\s+system:serviceaccount:sa-test:reader", whoami);
        Assert.Matches(@"Groups\s+\[system:serviceaccounts system:serviceaccounts:sa-test system:authenticated\]", whoami);
        Assert.Contains("robot-on-node-1", await reader.OkAsync("get", "pods", "-n", ServiceAccountFixture.Namespace, "-o", "name"));

        var refused = await reader.RunAsync(["get", "secrets", "-n", ServiceAccountFixture.Namespace]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("forbidden", refused.StandardError);
    }

    private Kubectl As(string token) => _kubectls.As(fixture.Rest, fixture.CaPem, token);
}
