using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.CertificateController.Pki;

/// <summary>The keys of a kubernetes.io/tls Secret and reading them (cert-manager's kube.SecretTLSKeyPair).</summary>
internal static class TlsSecretData
{
    public const string SecretType = "kubernetes.io/tls";
    public const string Certificate = "tls.crt";
    public const string PrivateKey = "tls.key";
    public const string CertificateAuthority = "ca.crt";

    /// <summary>The chain in tls.crt, leaf first; empty when the key is missing.</summary>
    /// <exception cref="CryptographicException">tls.crt is not PEM certificates.</exception>
    public static X509Certificate2Collection Chain(Secret secret)
    {
        var chain = new X509Certificate2Collection();
        if (secret.Data.TryGetValue(Certificate, out var pem) && !pem.IsEmpty)
        {
            chain.ImportFromPem(pem.ToStringUtf8());
            if (chain.Count == 0)
            {
                throw new CryptographicException("no certificate found in PEM data");
            }
        }

        return chain;
    }

    /// <exception cref="CryptographicException">tls.key holds no RSA or ECDSA private key.</exception>
    public static AsymmetricAlgorithm? Key(Secret secret) =>
        secret.Data.TryGetValue(PrivateKey, out var pem) && !pem.IsEmpty ? PrivateKeys.FromPem(pem.ToStringUtf8()) : null;

    public static string ToPem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));
}
