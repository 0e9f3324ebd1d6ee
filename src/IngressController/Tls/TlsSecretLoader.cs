using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// Reads the PEM tls.crt and tls.key of kubernetes.io/tls secrets, parsing each secret version once; the
/// configuration builder asks for every secret on every rebuild. Certificates after the first in tls.crt are the
/// chain served with it.
/// </summary>
internal sealed class TlsSecretLoader
{
    private Dictionary<string, (string Version, X509Certificate2? Certificate)> _cache = new(StringComparer.Ordinal);
    private Dictionary<string, (string Version, X509Certificate2? Certificate)> _used = new(StringComparer.Ordinal);

    /// <summary>The certificate, or null with a reason when the secret lacks a valid pair.</summary>
    public X509Certificate2? Load(Secret secret, out string? error)
    {
        error = null;
        var key = secret.Metadata.Namespace + "/" + secret.Metadata.Name;
        var version = secret.Metadata.Uid + "@" + secret.Metadata.ResourceVersion;
        if (_cache.TryGetValue(key, out var cached) && cached.Version == version)
        {
            _used[key] = cached;
            error = cached.Certificate is null ? "invalid tls.crt or tls.key" : null;
            return cached.Certificate;
        }

        X509Certificate2? certificate = null;
        if (!secret.Data.TryGetValue("tls.crt", out var crt) || !secret.Data.TryGetValue("tls.key", out var pem))
        {
            error = "missing tls.crt or tls.key";
        }
        else
        {
            try
            {
                certificate = X509Certificate2.CreateFromPem(crt.ToStringUtf8(), pem.ToStringUtf8());
                var chain = new X509Certificate2Collection();
                chain.ImportFromPem(crt.ToStringUtf8());
                chain.RemoveAt(0);
                CertificateChains.SetIntermediates(certificate, chain);
            }
            catch (CryptographicException e)
            {
                error = e.Message;
            }
        }

        _used[key] = (version, certificate);
        return certificate;
    }

    /// <summary>Ends a rebuild: forgets the secrets it did not ask for.</summary>
    public void Sweep()
    {
        (_cache, _used) = (_used, _cache);
        _used.Clear();
    }
}
