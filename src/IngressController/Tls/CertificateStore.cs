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

    public void Update(CertificateSet certificates) => _current = certificates;
}
