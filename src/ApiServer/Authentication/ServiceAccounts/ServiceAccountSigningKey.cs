using System.Buffers.Text;
using System.Security.Cryptography;
using KubeMesh.Api.Security;

namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// The P-256 key service-account tokens are signed with (ES256), as kube-apiserver's
/// --service-account-signing-key-file: a PKCS#8 PEM created at first start and reused after, so tokens outlive a
/// restart and every replica given the same file accepts every other's. The key id is the base64url SHA-256 of the
/// public key, as Kubernetes derives it.
/// </summary>
public sealed class ServiceAccountSigningKey : IDisposable
{
    private ServiceAccountSigningKey(ECDsa key)
    {
        Key = key;
        KeyId = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    public ECDsa Key { get; }

    public string KeyId { get; }

    public static ServiceAccountSigningKey Open(string path)
    {
        var pem = ServiceAccountKeyFile.ReadOrCreate(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"{path}: not a PEM private key: {e.Message}", e);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"{path}: a P-256 key is required for ES256, found a {key.KeySize}-bit curve");
        }

        return new ServiceAccountSigningKey(key);
    }

    public void Dispose() => Key.Dispose();
}
