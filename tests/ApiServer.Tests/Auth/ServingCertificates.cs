using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>A throwaway CA and a serving certificate for 127.0.0.1 and localhost, as PEM files Kestrel reads.</summary>
internal static class ServingCertificates
{
    public static X509Certificate2 CreateCa(string name, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(at.AddDays(-1), at.AddYears(1));
    }

    /// <summary>A certificate the CA issues for <paramref name="subject"/>, for client (or else server) authentication.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool clientAuth, DateTimeOffset? now = null, Action<CertificateRequest>? extend = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(clientAuth ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        extend?.Invoke(request);
        using var issued = request.Create(ca, at.AddDays(-1), at.AddDays(30), RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    public static void WriteServing(X509Certificate2 ca, string certificatePath, string keyPath)
    {
        using var serving = Issue(ca, "CN=kubemesh-apiserver", clientAuth: false, extend: request =>
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        });
        File.WriteAllText(certificatePath, serving.ExportCertificatePem());
        File.WriteAllText(keyPath, serving.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }
}
