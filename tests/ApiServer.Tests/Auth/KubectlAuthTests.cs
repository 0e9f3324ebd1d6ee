namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>The real kubectl with a token in its kubeconfig: auth can-i, auth whoami, --as, and kube's refusals.</summary>
[Collection(AuthCollection.Name)]
public sealed class KubectlAuthTests(AuthFixture fixture) : IDisposable
{
    private readonly TokenKubectls _kubectls = new();

    public void Dispose() => _kubectls.Dispose();

    [SkippableFact]
    public async Task CanI_AnswersYesAndNo_WithKubectlsExitCodes()
    {
        var carol = As(AuthFixture.Carol);

        Assert.Equal("yes", (await carol.OkAsync("auth", "can-i", "list", "pods", "-n", "default")).Trim());
        Assert.Equal("yes", (await carol.OkAsync("auth", "can-i", "get", "configmaps/allowed-cm", "-n", "default")).Trim());
        var no = await carol.RunAsync(["auth", "can-i", "delete", "pods", "-n", "default"]);
        Assert.Equal((1, "no"), (no.ExitCode, no.StandardOutput.Trim()));
    }

    [SkippableFact]
    public async Task WhoAmI_AndAs_ShowTheUserTheServerSees()
    {
        var whoami = await As(AuthFixture.Bob).OkAsync("auth", "whoami");
        Assert.Matches(@"Username\s+bob", whoami);
        Assert.Matches(@"Groups\s+\[developers system:authenticated\]", whoami);

        var asCarol = await As(AuthFixture.Admin).OkAsync("auth", "whoami", "--as", "carol", "--as-group", "readers");
        Assert.Matches(@"Username\s+carol", asCarol);

        var refused = await As(AuthFixture.Bob).RunAsync(["get", "pods", "-n", "default", "--as", "kubernetes-admin"]);
        // kubectl's discovery reports the refusal without the server's message; RefusalTests checks the message itself.
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Error from server (Forbidden)", refused.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Get_WithoutRights_IsKubesForbidden_AndAnUnknownTokenUnauthorized()
    {
        var forbidden = await As(AuthFixture.Alice).RunAsync(["get", "pods", "-n", "default"]);
        Assert.Contains("Error from server (Forbidden): pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", forbidden.Output, StringComparison.Ordinal);

        var unknown = await As(AuthFixture.Unknown).RunAsync(["get", "pods", "-n", "default"]);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("You must be logged in to the server", unknown.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task GetClusterRoles_ListsTheBootstrapPolicy()
    {
        var output = await As(AuthFixture.Admin).OkAsync("get", "clusterroles");

        foreach (var role in new[] { "cluster-admin", "admin", "edit", "view", "system:node", "system:kube-scheduler", "system:kube-controller-manager", "system:basic-user", "system:discovery" })
        {
            Assert.Matches($"(?m)^{role}\\s", output);
        }
    }

    private Kubectl As(string token) => _kubectls.As(fixture.Rest, fixture.CaPem, token);
}
