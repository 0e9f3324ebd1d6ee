using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.IngressController.Tls;

/// <summary>The self-signed certificate served to names no ingress has a certificate for (ingress-nginx's "fake" one).</summary>
internal static class DefaultCertificate
{
    public const string Subject = "CN=Kubernetes Ingress Controller Fake Certificate, O=Acme Co";

    public static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("ingress.local");
        request.CertificateExtensions.Add(names.Build());
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
