using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.Security;

/// <summary>Certificates and their keys as PEM files, the form kubeadm keeps under /etc/kubernetes/pki.</summary>
public static class PemFiles
{
    /// <summary>Writes the certificate (world-readable) and its private key (owner-only, 0600), each atomically.</summary>
    public static void Write(X509Certificate2 certificate, string certFile, string keyFile)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("only ECDSA keys are written", nameof(certificate));
        PrivateFiles.Write(keyFile, PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()));
        PrivateFiles.Write(certFile, certificate.ExportCertificatePem() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>A certificate with its private key from two PEM files.</summary>
    public static X509Certificate2 Load(string certFile, string keyFile) => X509Certificate2.CreateFromPemFile(certFile, keyFile);

    /// <summary>Every certificate in a PEM bundle (a CA file may hold several, as during a CA rotation).</summary>
    public static X509Certificate2Collection LoadBundle(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        if (collection.Count == 0)
        {
            throw new CryptographicException("no PEM certificate found");
        }

        return collection;
    }
}
