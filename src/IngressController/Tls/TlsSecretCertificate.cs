using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// The certificate of one version of a kubernetes.io/tls secret (PEM tls.crt and tls.key), or why it has none. The
/// certificates after the leaf in tls.crt are its chain: handshakes send them with the leaf, as ingress-nginx does, so
/// a client holding only the root (an ACME CA's) can verify a leaf signed by an intermediate.
/// </summary>
internal sealed record TlsSecretCertificate(string Version, SslStreamCertificateContext? Context, string? Error)
{
    public X509Certificate2? Certificate => Context?.TargetCertificate;

    /// <summary>
    /// Parses the secret, unless <paramref name="previous"/> (what an earlier build read from it) is of the same
    /// version: every rebuild asks for every secret, and each version is parsed once.
    /// </summary>
    public static TlsSecretCertificate Load(Secret secret, TlsSecretCertificate? previous)
    {
        var version = secret.Metadata.Uid + "@" + secret.Metadata.ResourceVersion;
        if (previous?.Version == version)
        {
            return previous;
        }

        if (!secret.Data.TryGetValue("tls.crt", out var crt) || !secret.Data.TryGetValue("tls.key", out var pem))
        {
            return new TlsSecretCertificate(version, null, "missing tls.crt or tls.key");
        }

        try
        {
            var certificates = crt.ToStringUtf8();
            var leaf = X509Certificate2.CreateFromPem(certificates, pem.ToStringUtf8());
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certificates);
            chain.RemoveAt(0);
            return new TlsSecretCertificate(version, SslStreamCertificateContext.Create(leaf, chain, offline: true), null);
        }
        catch (CryptographicException e)
        {
            return new TlsSecretCertificate(version, null, e.Message);
        }
    }
}
