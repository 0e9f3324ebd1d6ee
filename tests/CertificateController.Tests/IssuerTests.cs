using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.CertificateController.Tests.Infrastructure;
using static KubeMesh.CertificateController.Tests.Infrastructure.CertManagerObjects;

namespace KubeMesh.CertificateController.Tests;

/// <summary>Issuers' Ready condition with cert-manager's reasons, and recovery once the cause is fixed.</summary>
public sealed class IssuerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task SelfSignedIssuer_IsReady()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        await api.Client.For<Issuer>().CreateAsync(SelfSignedIssuer(controller.Namespace, "selfsigned"));

        var issuer = await WaitForAsync<Issuer>(api.Client, controller.Namespace, "selfsigned", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "True", "IsReady"), "Ready");

        Assert.Equal(issuer.Metadata.Generation, issuer.Status.Conditions.Single().ObservedGeneration);
    }

    [SkippableFact]
    public async Task CaIssuer_SecretMissingThenCreated_IsNotReadyWithErrGetKeyPairThenKeyPairVerified()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(CaIssuer(ns, "ca", "ca-key-pair"));

        var issuer = await WaitForAsync<Issuer>(api.Client, ns, "ca", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "False", "ErrGetKeyPair"), "ErrGetKeyPair");
        Assert.Contains("secrets \"ca-key-pair\" not found", issuer.Status.Conditions.Single().Message, StringComparison.Ordinal);
        var events = await WaitForEventAsync(api.Client, ns, "Issuer", "ca", "ErrGetKeyPair");
        Assert.Contains(events, e => e.Type == "Warning");

        using var ca = TestCertificates.CreateCa("KubeMesh test CA");
        await api.Client.For<Secret>().CreateAsync(TlsSecret(ns, "ca-key-pair", ca, TestCertificates.KeyPem(ca)));

        issuer = await WaitForAsync<Issuer>(api.Client, ns, "ca", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "True", "KeyPairVerified"), "KeyPairVerified");
        Assert.Equal("Signing CA verified", issuer.Status.Conditions.Single().Message);
    }

    [SkippableFact]
    public async Task CaIssuer_CertificateIsNotACa_IsErrInvalidKeyPair()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var ns = controller.Namespace;
        using var ca = TestCertificates.CreateCa("KubeMesh test CA");
        using var leaf = TestCertificates.CreateServer(ca);
        await api.Client.For<Secret>().CreateAsync(TlsSecret(ns, "not-a-ca", leaf, TestCertificates.KeyPem(leaf)));
        await api.Client.For<Issuer>().CreateAsync(CaIssuer(ns, "ca", "not-a-ca"));

        var issuer = await WaitForAsync<Issuer>(api.Client, ns, "ca", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "False", "ErrInvalidKeyPair"), "ErrInvalidKeyPair");

        Assert.Equal("Error getting keypair for CA issuer: certificate is not a CA", issuer.Status.Conditions.Single().Message);
    }

    [SkippableFact]
    public async Task ClusterIssuer_ReadsItsSecretFromTheClusterResourceNamespace()
    {
        await using var controller = await ControllerHost.StartAsync(api);
        var name = "ca-" + controller.Namespace;
        using var ca = TestCertificates.CreateCa("KubeMesh cluster CA");
        await Eventually.Returns(() => api.Client.For<Namespace>().GetAsync("", controller.ClusterResourceNamespace), TimeSpan.FromSeconds(60));
        await api.Client.For<Secret>().CreateAsync(TlsSecret(controller.ClusterResourceNamespace, "root-ca", ca, TestCertificates.KeyPem(ca)));
        await api.Client.For<ClusterIssuer>().CreateAsync(new ClusterIssuer
        {
            Metadata = new Api.Meta.V1.ObjectMeta { Name = name },
            Spec = new IssuerSpec { Ca = new CAIssuer { SecretName = "root-ca" } },
        });

        await WaitForAsync<ClusterIssuer>(api.Client, "", name, i => HasCondition(i.Status?.Conditions ?? [], "Ready", "True", "KeyPairVerified"), "KeyPairVerified");
    }
}
