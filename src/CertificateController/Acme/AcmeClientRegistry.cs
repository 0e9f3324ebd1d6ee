using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Acme.V1;

namespace KubeMesh.CertificateController.Acme;

/// <summary>
/// One <see cref="AcmeClient"/> per ACME server, TLS trust and account key (cert-manager's accounts registry), so an
/// issuer's orders and challenges share the account URL and the nonces. The HTTP client trusts the system's roots,
/// or the issuer's caBundle, or, with skipTLSVerify, anything; responses are capped at 1 MiB and 30 s.
/// </summary>
public sealed class AcmeClientRegistry : IDisposable
{
    private const int MaxResponseBytes = 1024 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, AcmeClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HttpClient> _http = new(StringComparer.Ordinal);

    /// <summary>The client for this issuer configuration and account key (PEM), made on first use.</summary>
    /// <exception cref="ArgumentException">The key is not an ECDSA P-256 private key.</exception>
    public AcmeClient For(ACMEIssuer issuer, string accountKeyPem)
    {
        var trust = TrustKey(issuer);
        var key = $"{issuer.Server}\n{trust}\n{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(accountKeyPem)))}";
        if (_clients.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var accountKey = AccountKey.FromPem(accountKeyPem);
        var http = _http.GetOrAdd(trust, _ => CreateHttpClient(issuer));
        var client = new AcmeClient(http, new Uri(issuer.Server), accountKey);
        if (!_clients.TryAdd(key, client))
        {
            accountKey.Dispose();
        }

        return _clients[key];
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Key.Dispose();
        }

        foreach (var http in _http.Values)
        {
            http.Dispose();
        }
    }

    private static string TrustKey(ACMEIssuer issuer) =>
        issuer.SkipTlsVerify ? "insecure" : issuer.CaBundle.IsEmpty ? "system" : Convert.ToHexString(SHA256.HashData(issuer.CaBundle.Span));

    private static HttpClient CreateHttpClient(ACMEIssuer issuer)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (issuer.SkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (!issuer.CaBundle.IsEmpty)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(issuer.CaBundle.ToStringUtf8());
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return new HttpClient(handler) { Timeout = RequestTimeout, MaxResponseContentBufferSize = MaxResponseBytes };
    }
}
