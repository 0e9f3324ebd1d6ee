using System.Collections.Frozen;
using System.Net.Security;

namespace KubeMesh.IngressController.Tls;

/// <summary>The certificates (each with its chain) of the ingresses' tls sections by host name, immutable once built.</summary>
internal sealed class CertificateSet(IReadOnlyDictionary<string, SslStreamCertificateContext> byHost)
{
    private readonly FrozenDictionary<string, SslStreamCertificateContext> _exact = byHost
        .Where(e => !e.Key.StartsWith("*.", StringComparison.Ordinal))
        .ToFrozenDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);

    // "*.example.com" is stored under "example.com" and serves names exactly one label longer.
    private readonly FrozenDictionary<string, SslStreamCertificateContext> _wildcard = byHost
        .Where(e => e.Key.StartsWith("*.", StringComparison.Ordinal))
        .ToFrozenDictionary(e => e.Key[2..], e => e.Value, StringComparer.OrdinalIgnoreCase);

    public static CertificateSet Empty { get; } = new(new Dictionary<string, SslStreamCertificateContext>());

    public IEnumerable<string> Hosts => _exact.Keys.Concat(_wildcard.Keys.Select(k => "*." + k));

    public SslStreamCertificateContext? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        if (_exact.TryGetValue(serverName, out var certificate))
        {
            return certificate;
        }

        var dot = serverName.IndexOf('.');
        return dot > 0 && _wildcard.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(serverName.AsSpan(dot + 1), out certificate)
            ? certificate
            : null;
    }

    /// <summary>True when a certificate is configured for the host (TLS makes ssl-redirect default on).</summary>
    public bool Covers(string host) =>
        host.Length > 0 && (host.StartsWith("*.", StringComparison.Ordinal) ? _wildcard.ContainsKey(host[2..]) : Find(host) is not null);
}
