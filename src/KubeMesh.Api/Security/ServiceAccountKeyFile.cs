using System.Security.Cryptography;

namespace KubeMesh.Api.Security;

/// <summary>
/// The service-account signing key, kubeadm's pki/sa.key: a P-256 PKCS#8 PEM written at first start and kept after.
/// The AppHost makes it before any api-server replica starts, so every replica signs and verifies with the same key.
/// </summary>
public static class ServiceAccountKeyFile
{
    public const string FileName = "sa.key";

    /// <summary>The PEM in <paramref name="path"/>, created first when there is none.</summary>
    public static string ReadOrCreate(string path) => PrivateFiles.ReadOrCreate(path, () =>
    {
        using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PemEncoding.WriteString("PRIVATE KEY", created.ExportPkcs8PrivateKey()) + "\n";
    });
}
