using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// What Kestrel's ServerCertificateSelector asks on every TLS handshake: the current certificate for the SNI
/// name, else the default one. Updates swap the whole set, so a renewed secret takes effect without a restart
/// and handshakes never take a lock.
/// </summary>
internal sealed class CertificateStore(TimeProvider time)
{
    private volatile CertificateSet _current = CertificateSet.Empty;

    public X509Certificate2 Default { get; } = DefaultCertificate.Create(time);

    public CertificateSet Current => _current;

    public X509Certificate2 Select(string? serverName) => _current.Find(serverName) ?? Default;

    /// <summary>The selected certificate with its intermediates, for the handshake.</summary>
    public SslStreamCertificateContext SelectContext(string? serverName) => CertificateChains.ContextFor(Select(serverName));

    public void Update(CertificateSet certificates) => _current = certificates;
}
