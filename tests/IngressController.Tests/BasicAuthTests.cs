using System.Text;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class BasicAuthTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("kubemesh-auth");

    [SkippableFact]
    public async Task BasicAuth_HtpasswdFile_ChallengesThenAcceptsApr1BcryptAndSha()
    {
        var file = Path.Combine(_directory.FullName, "auth");
        await Tool.RunAsync("htpasswd", "-cbm", file, "myuser", "foo");
        await Tool.RunAsync("htpasswd", "-bB", file, "buser", "bpass");
        await Tool.RunAsync("htpasswd", "-bs", file, "suser", "spass");
        await cluster.Client.For<Secret>().CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = "basic-auth", Namespace = "default" },
            Data = { ["auth"] = ClusterFixture.Utf8(await File.ReadAllTextAsync(file)) },
        });
        await using var backend = await EchoBackend.StartAsync("secured");
        await cluster.CreateServiceAsync("secured", backend);
        var ingress = ClusterFixture.Ingress("auth-ingress", "auth.example.com", ("/", "Prefix", "secured"));
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/auth-type", "basic");
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/auth-secret", "basic-auth");
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/auth-realm", "Authentication Required - myapp");
        await cluster.CreateIngressAsync(ingress);

        using var challenge = await Eventually.Until(
            () => _client.GetAsync("auth.example.com", "/"), r => (int)r.StatusCode == 401, ClusterFixture.Timeout, "the ingress asks for credentials");
        Assert.Equal("Basic realm=\"Authentication Required - myapp\"", challenge.Headers.WwwAuthenticate.ToString());

        Assert.Equal(200, await StatusAsync("myuser", "foo"));
        Assert.Equal(200, await StatusAsync("myuser", "foo"));
        Assert.Equal(200, await StatusAsync("buser", "bpass"));
        Assert.Equal(200, await StatusAsync("suser", "spass"));
        Assert.Equal(401, await StatusAsync("myuser", "bar"));
        Assert.Equal(401, await StatusAsync("buser", "foo"));
        Assert.Equal(401, await StatusAsync("nobody", "foo"));
        Assert.Equal(1 + 3, backend.Requests);
    }

    public void Dispose()
    {
        _client.Dispose();
        _directory.Delete(recursive: true);
    }

    private async Task<int> StatusAsync(string user, string password)
    {
        var credentials = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        using var response = await _client.GetAsync("auth.example.com", "/", credentials);
        return (int)response.StatusCode;
    }
}
