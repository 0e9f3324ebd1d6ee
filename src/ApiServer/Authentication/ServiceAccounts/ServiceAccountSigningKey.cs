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

    /// <summary>This key's public half, as tokens are verified with it.</summary>
    public VerificationKey Verification => new(KeyId, Key);

    /// <summary>
    /// A key tokens are verified with but not signed with (--service-account-key-file): a PEM public key, or a private
    /// key whose public half is used; P-256 only, since tokens here are ES256.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file is missing, not a PEM key, or not P-256; the message names the file.</exception>
    public static VerificationKey OpenVerificationKey(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Authentication:ServiceAccountKeyFiles: {path}: {e.Message}", e);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"Authentication:ServiceAccountKeyFiles: {path}: not a PEM public or private key: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"Authentication:ServiceAccountKeyFiles: {path}: not an EC P-256 key (tokens here are ES256): {e.Message}", e);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"Authentication:ServiceAccountKeyFiles: {path}: a P-256 key is required for ES256, found a {key.KeySize}-bit curve");
        }

        var verification = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
        key.Dispose();
        return new VerificationKey(Base64Url.EncodeToString(SHA256.HashData(verification.ExportSubjectPublicKeyInfo())), verification);
    }

    public void Dispose() => Key.Dispose();
}
