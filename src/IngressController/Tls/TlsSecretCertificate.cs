using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.IngressController.Tls;

/// <summary>The certificate of one version of a kubernetes.io/tls secret (PEM tls.crt and tls.key), or why it has none.</summary>
internal sealed record TlsSecretCertificate(string Version, X509Certificate2? Certificate, string? Error)
{
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
            return new TlsSecretCertificate(version, X509Certificate2.CreateFromPem(crt.ToStringUtf8(), pem.ToStringUtf8()), null);
        }
        catch (CryptographicException e)
        {
            return new TlsSecretCertificate(version, null, e.Message);
        }
    }
}
