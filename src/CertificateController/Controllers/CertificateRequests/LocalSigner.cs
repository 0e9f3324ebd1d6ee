using System.Security.Cryptography;
using Google.Protobuf;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.CertificateController.Pki;
using KubeMesh.Client;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.CertificateController.Controllers.CertificateRequests;

/// <summary>
/// cert-manager's selfsigned and ca request controllers (pkg/controller/certificaterequests/{selfsigned,ca}): sign in
/// this process, with the request's own private key (named by its cert-manager.io/private-key-secret-name
/// annotation) or with the CA issuer's key pair.
/// </summary>
internal sealed class LocalSigner(ControllerContext context)
{
    private readonly Lister<Secret> _secrets = context.Informers.GetLister<Secret>();

    public SigningResult SelfSign(CertificateRequest request, GenericIssuer issuer, DateTimeOffset now)
    {
        var ns = request.Metadata.Namespace;
        if (!request.Metadata.Annotations.TryGetValue(CertManagerNames.PrivateKeySecretName, out var keySecret) || keySecret.Length == 0)
        {
            return SigningResult.Fail($"Annotation \"{CertManagerNames.PrivateKeySecretName}\" missing or empty", "ErrorAnnotation");
        }

        if (_secrets.Get(ns, keySecret) is not { } secret)
        {
            return SigningResult.Wait($"Referenced secret {ns}/{keySecret} not found", "SecretMissing");
        }

        try
        {
            using var key = TlsSecretData.Key(secret) ?? throw new CryptographicException($"secret \"{keySecret}\" has no {TlsSecretData.PrivateKey}");
            using var certificate = CertificateSigner.SelfSign(Request(request), key,
                new CertificateSigner.Extensions(issuer.Spec.SelfSigned.CrlDistributionPoints, [], []), now);
            var pem = ByteString.CopyFromUtf8(certificate.ExportCertificatePem() + "\n");
            return SigningResult.Done(pem, pem);
        }
        catch (CryptographicException e)
        {
            return SigningResult.Fail("Error signing certificate: " + e.Message, "ErrorSigning");
        }
    }

    public SigningResult Sign(CertificateRequest request, GenericIssuer issuer, DateTimeOffset now)
    {
        var ca = issuer.Spec.Ca;
        if (_secrets.Get(issuer.ResourceNamespace, ca.SecretName) is not { } secret)
        {
            return SigningResult.Wait($"Referenced secret {issuer.ResourceNamespace}/{ca.SecretName} not found", "SecretMissing");
        }

        try
        {
            var chain = TlsSecretData.Chain(secret);
            using var key = TlsSecretData.Key(secret);
            if (chain.Count == 0 || key is null)
            {
                return SigningResult.Wait($"Referenced secret {issuer.ResourceNamespace}/{ca.SecretName} has no key pair", "SecretInvalidData");
            }

            using var certificate = CertificateSigner.Sign(Request(request), chain[0], key,
                new CertificateSigner.Extensions(ca.CrlDistributionPoints, ca.OcspServers, ca.IssuingCertificateUrls), now);

            // The chain carries the CA's own chain up to, not including, a self-signed root; ca.crt is the top.
            var issuers = chain.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) is false).ToList();
            var pem = TlsSecretData.ToPem([certificate, .. issuers]);
            var top = secret.Data.TryGetValue(TlsSecretData.CertificateAuthority, out var caData) && !caData.IsEmpty
                ? caData
                : ByteString.CopyFromUtf8(chain[^1].ExportCertificatePem() + "\n");
            return SigningResult.Done(ByteString.CopyFromUtf8(pem), top);
        }
        catch (CryptographicException e)
        {
            return SigningResult.Fail("Error signing certificate: " + e.Message, "ErrorSigning");
        }
    }

    private static CertificateSigner.Request Request(CertificateRequest request) => new(
        request.Spec.Request.ToStringUtf8(),
        request.Spec.Usages,
        request.Spec.IsCa,
        GoDuration.TryParse(request.Spec.Duration, out var duration, out _) && duration > TimeSpan.Zero ? duration : Certificates.CertificatePolicies.DefaultDuration);
}
