using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.Security;

/// <summary>
/// A self-signed certificate authority that signs the cluster's serving and client certificates (kubeadm's
/// "kubernetes" CA). Keys are ECDSA P-256, which kube-apiserver, kubectl and .NET's TLS all accept.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>kubeadm's CA lifetime.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(3650);

    internal static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    internal static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly TimeProvider _clock;

    /// <param name="certificate">The CA's certificate, with its private key.</param>
    public CertificateAuthority(X509Certificate2 certificate, TimeProvider? clock = null)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("the CA certificate has no private key", nameof(certificate));
        }

        Certificate = certificate;
        _clock = clock ?? TimeProvider.System;
    }

    public X509Certificate2 Certificate { get; }

    public static CertificateAuthority Create(string commonName, TimeSpan validity, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(new CertificateProfile(commonName, 0, validity)), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = clock.GetUtcNow();
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now + validity), clock);
    }

    /// <summary>A new key and a certificate for it signed by this CA, never outliving the CA itself.</summary>
    public X509Certificate2 Issue(CertificateProfile profile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(profile), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usages = new OidCollection();
        if (profile.Usage.HasFlag(CertificateUsage.Server))
        {
            usages.Add(ServerAuth);
        }

        if (profile.Usage.HasFlag(CertificateUsage.Client))
        {
            usages.Add(ClientAuth);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        if (profile.DnsNames.Count > 0 || profile.IpAddresses.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in profile.DnsNames)
            {
                names.AddDnsName(dns);
            }

            foreach (var ip in profile.IpAddresses)
            {
                names.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = _clock.GetUtcNow();
        var notAfter = now + profile.Validity < Certificate.NotAfter.ToUniversalTime() ? now + profile.Validity : Certificate.NotAfter.ToUniversalTime();
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var signed = request.Create(Certificate, now.AddMinutes(-5), notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    public void Dispose() => Certificate.Dispose();

    private static X500DistinguishedName Subject(CertificateProfile profile)
    {
        var builder = new X500DistinguishedNameBuilder();
        foreach (var organization in profile.Organizations)
        {
            builder.AddOrganizationName(organization);
        }

        builder.AddCommonName(profile.CommonName);
        return builder.Build();
    }
}
