using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.CertificateController.Tests.Infrastructure;
using static KubeMesh.CertificateController.Tests.Infrastructure.CertManagerObjects;

namespace KubeMesh.CertificateController.Tests;

/// <summary>ingress-shim: annotated Ingresses get Certificates for their tls entries, owned and kept in line.</summary>
public sealed class IngressShimTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task Ingress_IssuerAnnotationAndTls_GetsAnOwnedCertificateThatIsIssued()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "selfsigned"));
        var ingress = await api.Client.For<Ingress>().CreateAsync(Ingress(ns, "web", new()
        {
            ["cert-manager.io/issuer"] = "selfsigned",
            ["cert-manager.io/duration"] = "48h",
            ["cert-manager.io/private-key-algorithm"] = "ECDSA",
        }, ("web-tls", ["example.com", "www.example.com"])));

        var certificate = await WaitForAsync<Certificate>(api.Client, ns, "web-tls", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready");

        Assert.Equal(["example.com", "www.example.com"], certificate.Spec.DnsNames);
        Assert.Equal("web-tls", certificate.Spec.SecretName);
        Assert.Equal("48h", certificate.Spec.Duration);
        Assert.Equal("ECDSA", certificate.Spec.PrivateKey.Algorithm);
        Assert.Equal(("selfsigned", "Issuer", "cert-manager.io"), (certificate.Spec.IssuerRef.Name, certificate.Spec.IssuerRef.Kind, certificate.Spec.IssuerRef.Group));
        var owner = Assert.Single(certificate.Metadata.OwnerReferences);
        Assert.Equal(("Ingress", "web", ingress.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));
        await WaitForEventAsync(api.Client, ns, "Ingress", "web", "CreateCertificate");
    }

    [SkippableFact]
    public async Task Ingress_TlsHostsChangedThenEntryRemoved_CertificateIsUpdatedThenDeleted()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Ingress>().CreateAsync(Ingress(ns, "web", new() { ["cert-manager.io/cluster-issuer"] = "letsencrypt" },
            ("a-tls", ["a.example.com"]), ("b-tls", ["b.example.com"])));
        await WaitForAsync<Certificate>(api.Client, ns, "b-tls", c => c.Spec.IssuerRef.Kind == "ClusterIssuer", "created");

        var ingress = await api.Client.For<Ingress>().GetAsync(ns, "web");
        ingress.Spec.Tls[0].Hosts.Add("a2.example.com");
        ingress.Spec.Tls.RemoveAt(1);
        await api.Client.For<Ingress>().UpdateAsync(ingress);

        await WaitForAsync<Certificate>(api.Client, ns, "a-tls", c => c.Spec.DnsNames.Count == 2, "updated");
        await Eventually.Returns(async () =>
        {
            var names = (await api.Client.For<Certificate>().ListAsync(new ListRequest { Namespace = ns })).Items.Select(c => c.Metadata.Name).ToList();
            return names.SequenceEqual(["a-tls"]) ? true : throw new InvalidOperationException("left: " + string.Join(",", names));
        }, WaitTimeout);
        var events = await WaitForEventAsync(api.Client, ns, "Ingress", "web", "DeleteCertificate");
        Assert.Contains(events, e => e.Reason == "UpdateCertificate" && e.Message == "Successfully updated Certificate \"a-tls\"");
    }

    [SkippableFact]
    public async Task Ingress_BadAnnotations_GetBadConfigEventsAndNoCertificate()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Ingress>().CreateAsync(Ingress(ns, "both", new() { ["cert-manager.io/issuer"] = "a", ["cert-manager.io/cluster-issuer"] = "b" }, ("both-tls", ["x.example.com"])));
        await api.Client.For<Ingress>().CreateAsync(Ingress(ns, "duration", new() { ["cert-manager.io/issuer"] = "a", ["cert-manager.io/duration"] = "ninety days" }, ("duration-tls", ["y.example.com"])));

        var both = await WaitForEventAsync(api.Client, ns, "Ingress", "both", "BadConfig");
        var duration = await WaitForEventAsync(api.Client, ns, "Ingress", "duration", "BadConfig");

        Assert.Contains(both, e => e.Message.Contains("may not be set", StringComparison.Ordinal));
        Assert.Contains(duration, e => e.Message.StartsWith("cert-manager.io/duration annotation: time: invalid duration", StringComparison.Ordinal));
        Assert.Empty((await api.Client.For<Certificate>().ListAsync(new ListRequest { Namespace = ns })).Items);
    }

    private static Ingress Ingress(string ns, string name, Dictionary<string, string> annotations, params (string Secret, string[] Hosts)[] tls)
    {
        var ingress = new Ingress
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new IngressSpec
            {
                DefaultBackend = new IngressBackend { Service = new IngressServiceBackend { Name = "web", Port = new ServiceBackendPort { Number = 80 } } },
            },
        };
        ingress.Metadata.Annotations.Add(annotations);
        foreach (var (secret, hosts) in tls)
        {
            var entry = new IngressTLS { SecretName = secret };
            entry.Hosts.Add(hosts);
            ingress.Spec.Tls.Add(entry);
        }

        return ingress;
    }
}
