using System.Net;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TlsTests(ClusterFixture cluster) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("kubemesh-tls");

    [SkippableFact]
    public async Task Https_SecretCertificate_ChosenBySniAndRenewedWithoutRestart()
    {
        await using var backend = await EchoBackend.StartAsync("tls-backend");
        await cluster.CreateServiceAsync("tls-backend", backend);
        var (crt, key) = await Certificates.SelfSignedAsync(_directory.FullName, "/CN=tls.example.com");
        var secrets = cluster.Client.For<Secret>();
        await secrets.CreateAsync(TlsSecret(crt, key));
        var ingress = ClusterFixture.Ingress("tls", "tls.example.com", ("/", "Prefix", "tls-backend"));
        ingress.Spec.Tls.Add(new IngressTLS { Hosts = { "tls.example.com" }, SecretName = "tls-example" });
        await cluster.CreateIngressAsync(ingress);

        var served = await Eventually.Until(
            () => ProbeAsync("tls.example.com"), p => p.Status == 200 && p.Subject == "CN=tls.example.com", ClusterFixture.Timeout, "the secret's certificate is served");
        Assert.Equal(HttpVersion.Version20, served.Version);
        Assert.StartsWith("tls-backend\n", served.Body);
        Assert.Contains("x-forwarded-proto=https\n", served.Body);

        var other = await ProbeAsync("other.example.com");
        Assert.Contains("Kubernetes Ingress Controller Fake Certificate", other.Subject);

        using (var plain = new IngressHttp(cluster))
        using (var redirect = await plain.GetAsync("tls.example.com", "/a?b=1"))
        {
            Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
            Assert.Equal($"https://tls.example.com:{cluster.HttpsPort}/a?b=1", redirect.Headers.Location?.ToString());
        }

        var (renewedCrt, renewedKey) = await Certificates.SelfSignedAsync(_directory.FullName, "/CN=tls.example.com/O=Renewed");
        var current = await secrets.GetAsync("default", "tls-example");
        var renewed = TlsSecret(renewedCrt, renewedKey);
        renewed.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        await secrets.UpdateAsync(renewed);
        await Eventually.Until(() => ProbeAsync("tls.example.com"), p => p.Subject.Contains("O=Renewed"), ClusterFixture.Timeout, "the renewed certificate is served");
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static Secret TlsSecret(string crt, string key) => new()
    {
        Metadata = new ObjectMeta { Name = "tls-example", Namespace = "default" },
        Type = "kubernetes.io/tls",
        Data = { ["tls.crt"] = ClusterFixture.Utf8(crt), ["tls.key"] = ClusterFixture.Utf8(key) },
    };

    private async Task<(int Status, string Subject, Version Version, string Body)> ProbeAsync(string host)
    {
        // A new client per probe: the certificate is only seen on a new connection.
        using var client = new IngressHttp(cluster);
        using var response = await client.GetHttpsAsync(host, "/", HttpVersion.Version20);
        return ((int)response.StatusCode, client.LastCertificate?.Subject ?? "", response.Version, await response.Content.ReadAsStringAsync());
    }
}
