using Google.Protobuf.WellKnownTypes;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.CertificateController.Tests.Infrastructure;
using static KubeMesh.CertificateController.Tests.Infrastructure.CertManagerObjects;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.CertificateController.Tests;

/// <summary>Certificates issued by the self-signed and CA issuers into kubernetes.io/tls Secrets, and renewed.</summary>
public sealed class CertificateTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task Certificate_SelfSignedIssuer_IsIssuedIntoATlsSecretAndReady()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "selfsigned"));
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "web", "selfsigned", "web.example.com", "www.example.com"));

        var certificate = await WaitForAsync<Certificate>(api.Client, ns, "web", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True", "Ready"), "Ready");

        Assert.Equal(1, certificate.Status.Revision);
        Assert.DoesNotContain(certificate.Status.Conditions, c => c.Type == "Issuing");
        Assert.Equal("Certificate is up to date and has not expired", certificate.Status.Conditions.Single(c => c.Type == "Ready").Message);
        var secret = await api.Client.For<Secret>().GetAsync(ns, "web-tls");
        Assert.Equal("kubernetes.io/tls", secret.Type);
        var leaf = Chain(secret)[0];
        var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Equal(["web.example.com", "www.example.com"], names);
        Assert.Equal(leaf.Subject, leaf.Issuer);
        Assert.Equal(secret.Data["tls.crt"], secret.Data["ca.crt"]);
        using var pair = X509Certificate2.CreateFromPem(secret.Data["tls.crt"].ToStringUtf8(), secret.Data["tls.key"].ToStringUtf8());
        Assert.True(pair.HasPrivateKey);
        Assert.Equal("web", secret.Metadata.Annotations["cert-manager.io/certificate-name"]);
        Assert.Equal("selfsigned", secret.Metadata.Annotations["cert-manager.io/issuer-name"]);
        Assert.Equal("web.example.com,www.example.com", secret.Metadata.Annotations["cert-manager.io/alt-names"]);
        var lifetime = certificate.Status.NotAfter.ToDateTimeOffset() - certificate.Status.NotBefore.ToDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(90), lifetime);
        Assert.Equal(certificate.Status.NotAfter.ToDateTimeOffset() - TimeSpan.FromDays(30), certificate.Status.RenewalTime.ToDateTimeOffset());

        var request = Assert.Single((await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns })).Items);
        Assert.True(HasCondition(request.Status.Conditions, "Approved", "True", "cert-manager.io"));
        Assert.True(HasCondition(request.Status.Conditions, "Ready", "True", "Issued"));
        Assert.Equal("1", request.Metadata.Annotations["cert-manager.io/certificate-revision"]);
        Assert.Equal("web", request.Metadata.OwnerReferences.Single().Name);
        var events = await EventsAsync(api.Client, ns, "Certificate", "web");
        Assert.Contains(events, e => e.Reason == "Issuing" && e.Message == "Issuing certificate as Secret does not exist");
        Assert.Contains(events, e => e.Reason == "Issuing" && e.Message == "The certificate has been successfully issued");
        Assert.Contains(events, e => e.Reason == "Requested");
        // The key's temporary Secret goes once the issued status is written.
        await Eventually.Until(
            async () => (await api.Client.For<Secret>().ListAsync(new ListRequest { Namespace = ns, LabelSelector = "cert-manager.io/next-private-key=true" })).Items.Count == 0,
            WaitTimeout, "the temporary private key Secret to be deleted");
    }

    [SkippableFact]
    public async Task Certificate_CaIssuerWithoutItsSecret_WaitsThenIsSignedByTheCa()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(CaIssuer(ns, "ca", "ca-key-pair"));
        var spec = Certificate(ns, "api", "ca", "api.example.com");
        spec.Spec.PrivateKey = new CertificatePrivateKey { Algorithm = "ECDSA", Size = 384 };
        spec.Spec.Usages.Add(["server auth", "digital signature"]);
        await api.Client.For<Certificate>().CreateAsync(spec);

        var waiting = await WaitForAsync<Certificate>(api.Client, ns, "api", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "False", "DoesNotExist")
            && HasCondition(c.Status!.Conditions, "Issuing", "True", "DoesNotExist"), "waiting to be issued");
        var requests = await Eventually.Returns(async () =>
        {
            var list = await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns });
            return list.Items.Any(r => HasCondition(r.Status?.Conditions ?? [], "Ready", "False", "Pending")) ? list.Items : throw new InvalidOperationException("no pending request");
        }, WaitTimeout);
        Assert.Contains("Referenced issuer does not have a Ready status condition", requests.Single().Status.Conditions.Single(c => c.Type == "Ready").Message, StringComparison.Ordinal);
        Assert.Null(waiting.Status.NotAfter);

        using var ca = TestCertificates.CreateCa("KubeMesh test CA");
        await api.Client.For<Secret>().CreateAsync(TlsSecret(ns, "ca-key-pair", ca, TestCertificates.KeyPem(ca)));

        await WaitForAsync<Certificate>(api.Client, ns, "api", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready");
        var secret = await api.Client.For<Secret>().GetAsync(ns, "api-tls");
        var leaf = Chain(secret)[0];
        Assert.Equal(ca.Subject, leaf.Issuer);
        Assert.Equal(384, leaf.GetECDsaPublicKey()!.KeySize);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(secret.Data["ca.crt"].ToStringUtf8()));
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [SkippableFact]
    public async Task Certificate_RenewBeforeNearlyItsDuration_IsRenewedAtTheRenewalTime()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "selfsigned"));
        // Revision 1 lives four seconds: every version is watched, so it is seen however late a poll would have come.
        await using var certificates = await History<Certificate>.StartAsync(api.Client, ns);
        await using var secrets = await History<Secret>.StartAsync(api.Client, ns);
        var spec = Certificate(ns, "short", "selfsigned", "short.example.com");
        spec.Spec.Duration = "1h";
        spec.Spec.RenewBefore = "59m56s";
        await api.Client.For<Certificate>().CreateAsync(spec);
        var first = await certificates.WaitForAsync(c => c.Metadata.Name == "short" && c.Status?.Revision == 1 && HasCondition(c.Status!.Conditions, "Ready", "True"), "issued", WaitTimeout);
        Assert.Equal(first.Status.NotAfter.ToDateTimeOffset() - TimeSpan.Parse("00:59:56"), first.Status.RenewalTime.ToDateTimeOffset().AddSeconds(first.Status.NotAfter.Nanos > 0 ? 1 : 0), TimeSpan.FromSeconds(1));
        var firstSecret = await secrets.WaitForAsync(s => s.Metadata.Name == "short-tls" && s.Data.ContainsKey("tls.crt"), "with the first certificate", WaitTimeout);
        var firstSerial = Chain(firstSecret)[0].SerialNumber;

        var second = await certificates.WaitForAsync(c => c.Metadata.Name == "short" && c.Status?.Revision == 2 && HasCondition(c.Status!.Conditions, "Ready", "True"), "renewed", TimeSpan.FromSeconds(60));

        Assert.True(second.Status.NotAfter.ToDateTimeOffset() > first.Status.NotAfter.ToDateTimeOffset());
        Assert.Equal(first.Status.NotAfter, Timestamp.FromDateTimeOffset(new DateTimeOffset(Chain(firstSecret)[0].NotAfter.ToUniversalTime())));
        Assert.NotEqual(firstSerial, Chain(await api.Client.For<Secret>().GetAsync(ns, "short-tls"))[0].SerialNumber);
        var events = await EventsAsync(api.Client, ns, "Certificate", "short");
        Assert.Contains(events, e => e.Reason == "Issuing" && e.Message.StartsWith("Renewing certificate as renewal was scheduled at", StringComparison.Ordinal));
        var requests = await Eventually.Returns(async () =>
        {
            var list = (await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns })).Items;
            return list.Count == 1 ? list : throw new InvalidOperationException($"{list.Count} requests: the first revision's is not yet removed");
        }, WaitTimeout);
        Assert.Equal("2", requests[0].Metadata.Annotations["cert-manager.io/certificate-revision"]);
    }

    [SkippableFact]
    public async Task Certificate_SpecChanged_IsReissuedForTheNewNames()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "selfsigned"));
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "web", "selfsigned", "a.example.com"));
        var issued = await WaitForAsync<Certificate>(api.Client, ns, "web", c => c.Status?.Revision == 1, "issued");

        issued.Spec.DnsNames.Add("b.example.com");
        await api.Client.For<Certificate>().UpdateAsync(issued);

        await WaitForAsync<Certificate>(api.Client, ns, "web", c => c.Status?.Revision == 2 && HasCondition(c.Status!.Conditions, "Ready", "True"), "reissued");
        var names = Chain(await api.Client.For<Secret>().GetAsync(ns, "web-tls"))[0].Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames();
        Assert.Equal(["a.example.com", "b.example.com"], names);
        var events = await EventsAsync(api.Client, ns, "Certificate", "web");
        Assert.Contains(events, e => e.Reason == "Issuing" && e.Message.Contains("[spec.dnsNames]", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Certificate_DurationChanged_IsReissuedBecauseTheRequestChanged()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "selfsigned"));
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "web", "selfsigned", "a.example.com"));
        var issued = await WaitForAsync<Certificate>(api.Client, ns, "web", c => c.Status?.Revision == 1, "issued");

        issued.Spec.Duration = "48h";
        await api.Client.For<Certificate>().UpdateAsync(issued);

        var reissued = await WaitForAsync<Certificate>(api.Client, ns, "web", c => c.Status?.Revision == 2 && HasCondition(c.Status!.Conditions, "Ready", "True"), "reissued");
        Assert.Equal(TimeSpan.FromHours(48), reissued.Status.NotAfter.ToDateTimeOffset() - reissued.Status.NotBefore.ToDateTimeOffset());
        var events = await EventsAsync(api.Client, ns, "Certificate", "web");
        Assert.Contains(events, e => e.Reason == "Issuing" && e.Message == "Fields on existing CertificateRequest resource not up to date: [spec.duration]");
    }

    [SkippableFact]
    public async Task Certificate_IssuerMissingThenCreated_IsIssued()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "late", "later", "late.example.com"));

        var request = await Eventually.Returns(async () =>
        {
            var list = await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns });
            return list.Items.SingleOrDefault(r => HasCondition(r.Status?.Conditions ?? [], "Ready", "False", "Pending")) ?? throw new InvalidOperationException("no pending request");
        }, WaitTimeout);
        Assert.Equal("Referenced \"Issuer\" not found: issuer.cert-manager.io \"later\" not found", request.Status.Conditions.Single(c => c.Type == "Ready").Message);
        await WaitForEventAsync(api.Client, ns, "CertificateRequest", request.Metadata.Name, "IssuerNotFound");

        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(ns, "later"));

        await WaitForAsync<Certificate>(api.Client, ns, "late", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready");
    }
}
