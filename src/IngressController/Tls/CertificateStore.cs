using System.Net.Security;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// What Kestrel asks on every TLS handshake: the current certificate and chain for the SNI name, else the default
/// certificate. Updates swap the whole set, so a renewed secret takes effect without a restart and handshakes never
/// take a lock.
/// </summary>
internal sealed class CertificateStore(TimeProvider time)
{
    private readonly SslStreamCertificateContext _default = SslStreamCertificateContext.Create(DefaultCertificate.Create(time), null, offline: true);
    private volatile CertificateSet _current = CertificateSet.Empty;

    public CertificateSet Current => _current;

    public SslStreamCertificateContext Select(string? serverName) => _current.Find(serverName) ?? _default;

    public void Update(CertificateSet certificates) => _current = certificates;
}
