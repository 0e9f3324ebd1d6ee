using System.Security.Cryptography;
using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Validation;
using static KubeMesh.ApiServer.Tests.Validation.Manifests;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>cert-manager's kinds decoded with its field names and validated as its webhook does, with field paths.</summary>
public sealed class CertManagerValidatorTests
{
    private const string CertificateHeader = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nspec:\n";
    private const string IssuerHeader = "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: i}\nspec:\n";

    [Theory]
    [MemberData(nameof(TestManifests.Certificates), MemberType = typeof(TestManifests))]
    public void ValidateCreate_CertificateManifests_HaveNoErrors(string file)
    {
        var objects = ManifestDecoder.Decode(TestManifests.Read("certificates", file));

        Assert.NotEmpty(objects);
        foreach (var obj in objects)
        {
            ObjectDefaulter.Apply(obj.Kind, obj.Object);
            AssertValid(ObjectValidator.ValidateCreate(obj.Kind, obj.Object));
        }
    }

    [Fact]
    public void Decode_CertManagerFieldNames_FillTheSpec()
    {
        var issuer = Defaulted<ClusterIssuer>(TestManifests.Read("certificates", "clusterissuer-pebble.yaml"));
        var certificate = Defaulted<Certificate>(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  isCA: true\n  renewBefore: 240h\n  issuerRef: {name: i, kind: ClusterIssuer}\n  privateKey: {algorithm: ECDSA, size: 384, rotationPolicy: Never}\n  usages: [server auth]\n");

        Assert.True(issuer.Spec.Acme.SkipTlsVerify);
        Assert.Equal("letsencrypt-account-key", issuer.Spec.Acme.PrivateKeySecretRef.Name);
        Assert.Equal("nginx", issuer.Spec.Acme.Solvers[0].Http01.Ingress.Class);
        Assert.True(certificate.Spec.IsCa);
        Assert.Equal(("ECDSA", 384, "Never"), (certificate.Spec.PrivateKey.Algorithm, certificate.Spec.PrivateKey.Size, certificate.Spec.PrivateKey.RotationPolicy));
    }

    [Fact]
    public void ValidateCreate_CertificateWithoutSecretNameOrNames_IsRefused()
    {
        var errors = Errors(CertificateHeader + "  issuerRef: {name: i}\n");

        AssertError(errors, "spec.secretName", "Required value");
        AssertError(errors, "spec", "at least one of commonName, dnsNames");
    }

    [Fact]
    public void ValidateCreate_CertificateDurations_FollowCertManagersRules()
    {
        AssertError(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i}\n  duration: ninety days\n"), "spec.duration", "time: invalid duration");
        AssertError(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i}\n  duration: 30m\n"), "spec.duration", "must be greater than 1h0m0s");
        AssertError(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i}\n  duration: 1h\n  renewBefore: 2h\n"), "spec.renewBefore", "certificate duration 1h0m0s must be greater than renewBefore 2h0m0s");
        AssertError(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i}\n  renewBefore: 1m\n"), "spec.renewBefore", "must be greater than 5m0s");
        AssertValid(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i}\n  duration: 1h\n  renewBefore: 59m55s\n"));
    }

    [Fact]
    public void ValidateCreate_CertificateIssuerRefKeyAndUsages_AreChecked()
    {
        var errors = Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {name: i, kind: Issuers}\n  privateKey: {algorithm: ECDSA, size: 300}\n  usages: [server auth, teleport]\n");

        AssertError(errors, "spec.issuerRef.kind", "must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)");
        AssertError(errors, "spec.privateKey.size", "Unsupported value: 300");
        AssertError(errors, "spec.usages[1]", "unknown keyusage");
        AssertError(Errors(CertificateHeader + "  secretName: s\n  dnsNames: [a.example.com]\n  issuerRef: {}\n"), "spec.issuerRef.name", "Required value");
    }

    [Fact]
    public void ValidateCreate_IssuerTypes_ExactlyOne()
    {
        AssertError(Errors(IssuerHeader + "  selfSigned: {}\n  ca: {secretName: ca}\n"), "spec.selfSigned", "may not specify more than one issuer type");
        AssertError(Errors(IssuerHeader.Replace("spec:\n", "spec: {}\n", StringComparison.Ordinal)), "spec", "at least one issuer must be configured");
        AssertError(Errors(IssuerHeader + "  ca: {}\n"), "spec.ca.secretName", "Required value");
    }

    [Fact]
    public void ValidateCreate_AcmeIssuer_NeedsServerAndKeySecretAndOneTlsTrust()
    {
        var errors = Errors(IssuerHeader + "  acme:\n    skipTLSVerify: true\n    caBundle: " + Convert.ToBase64String("not a certificate"u8) + "\n    solvers: [{}]\n");

        AssertError(errors, "spec.acme.server", "acme server URL is a required field");
        AssertError(errors, "spec.acme.privateKeySecretRef.name", "private key secret name is a required field");
        AssertError(errors, "spec.acme.skipTLSVerify", "caBundle and skipTLSVerify are mutually exclusive");
        AssertError(errors, "spec.acme.caBundle", "cert bundle didn't contain any valid certificates");
        AssertError(errors, "spec.acme.solvers[0]", "no solver type configured");
        AssertError(Errors(IssuerHeader + "  acme: {server: not-a-url, privateKeySecretRef: {name: k}}\n"), "spec.acme.server", "absolute http or https URL");
        AssertError(Errors(IssuerHeader + "  acme: {server: https://acme.test/dir, privateKeySecretRef: {name: k}, solvers: [{http01: {ingress: {class: nginx, ingressClassName: nginx}}}]}\n"),
            "spec.acme.solvers[0].http01.ingress", "only one of 'ingressClassName', 'name' or 'class'");
    }

    [Fact]
    public void Decode_UnsupportedSolverOrIssuerType_IsAnUnknownField()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestDecoder.Decode(IssuerHeader + "  vault: {server: https://vault}\n"));

        Assert.Contains("spec.vault: unknown field \"vault\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateCreate_CertificateRequestWithoutAValidCsr_IsRefused()
    {
        var request = new CertificateRequest
        {
            Metadata = new Api.Meta.V1.ObjectMeta { Name = "r" },
            Spec = new CertificateRequestSpec { IssuerRef = new Api.CertManager.Meta.V1.IssuerReference { Name = "i" }, Request = ByteString.CopyFromUtf8("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n") },
        };

        AssertError(Validate(request), "spec.request", "error decoding certificate request PEM block");
        request.Spec.Request = ByteString.Empty;
        AssertError(Validate(request), "spec.request", "Required value");
    }

    [Fact]
    public void ValidateUpdate_CertificateRequestSpec_CannotChange()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=a", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var old = new CertificateRequest
        {
            Metadata = new Api.Meta.V1.ObjectMeta { Name = "r" },
            Spec = new CertificateRequestSpec { IssuerRef = new Api.CertManager.Meta.V1.IssuerReference { Name = "i" }, Request = ByteString.CopyFromUtf8(csr) },
        };
        var updated = old.Clone();
        updated.Spec.IssuerRef.Name = "other";

        AssertError(ObjectValidator.ValidateUpdate(ResourceKinds.CertificateRequest, updated, old), "spec", "cannot change spec after creation");
    }
}
