using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager;

namespace KubeMesh.CertificateController.Pki;

/// <summary>
/// Signs a CertificateRequest's CSR as cert-manager's self-signed and CA issuers do: the CSR's subject, names and
/// public key; the request's usages, isCA and duration; a random serial; key identifiers; and, for a CA issuer,
/// its CRL distribution points, OCSP servers and issuing certificate URLs. notAfter never outlives the signer.
/// </summary>
internal static class CertificateSigner
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public sealed record Request(string CsrPem, IReadOnlyList<string> Usages, bool IsCa, TimeSpan Duration);

    public sealed record Extensions(IReadOnlyList<string> CrlDistributionPoints, IReadOnlyList<string> OcspServers, IReadOnlyList<string> IssuingCertificateUrls)
    {
        public static Extensions None { get; } = new([], [], []);
    }

    /// <summary>Loads and checks a PEM CSR (its self-signature included).</summary>
    /// <exception cref="CryptographicException">Not a valid PKCS#10 request.</exception>
    public static CertificateRequest LoadCsr(string pem) =>
        CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);

    /// <summary>Signs with the CSR's own private key, which must match its public key.</summary>
    public static X509Certificate2 SelfSign(Request request, AsymmetricAlgorithm key, Extensions extensions, DateTimeOffset now)
    {
        var csr = LoadCsr(request.CsrPem);
        var template = Template(csr, request, extensions, issuerKeyIdentifier: null);
        if (!PrivateKeys.Matches(key, csr.PublicKey))
        {
            throw new CryptographicException("the private key does not match the public key of the certificate request");
        }

        return template.Create(csr.SubjectName, Generator(key), now, now + request.Duration, Serial());
    }

    public static X509Certificate2 Sign(Request request, X509Certificate2 issuer, AsymmetricAlgorithm issuerKey, Extensions extensions, DateTimeOffset now)
    {
        var csr = LoadCsr(request.CsrPem);
        var issuerSki = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        var template = Template(csr, request, extensions, issuerSki);
        var notAfter = now + request.Duration;
        if (notAfter > issuer.NotAfter)
        {
            notAfter = issuer.NotAfter;
        }

        return template.Create(issuer.SubjectName, Generator(issuerKey), now, notAfter, Serial());
    }

    private static CertificateRequest Template(CertificateRequest csr, Request request, Extensions extensions, X509SubjectKeyIdentifierExtension? issuerKeyIdentifier)
    {
        var template = new CertificateRequest(csr.SubjectName, csr.PublicKey, csr.HashAlgorithm);
        if (csr.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == SubjectAlternativeNameOid) is { } names)
        {
            // An empty subject makes the names the only identity, so RFC 5280 wants them critical.
            template.CertificateExtensions.Add(new X509Extension(names.Oid!, names.RawData, csr.SubjectName.RawData.Length <= 2));
        }

        var usages = request.Usages.ToList();
        if (usages.Count == 0)
        {
            usages.AddRange(KeyUsages.Default);
        }

        if (request.IsCa && !usages.Contains("cert sign"))
        {
            usages.Add("cert sign");
        }

        CsrBuilder.AddUsages(template, KeyUsages.Resolve(usages));
        template.CertificateExtensions.Add(new X509BasicConstraintsExtension(request.IsCa, false, 0, true));
        template.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(template.PublicKey, false));
        if (issuerKeyIdentifier?.SubjectKeyIdentifierBytes is { Length: > 0 } keyId)
        {
            template.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(keyId.Span));
        }

        if (extensions.CrlDistributionPoints.Count > 0)
        {
            template.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(extensions.CrlDistributionPoints));
        }

        if (extensions.OcspServers.Count > 0 || extensions.IssuingCertificateUrls.Count > 0)
        {
            template.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(extensions.OcspServers, extensions.IssuingCertificateUrls));
        }

        return template;
    }

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new NotSupportedException($"unsupported key type {key.GetType().Name}"),
    };

    /// <summary>128 random bits, positive, as cert-manager's serial numbers.</summary>
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
