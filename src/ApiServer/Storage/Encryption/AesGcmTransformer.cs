using System.Security.Cryptography;
using System.Text;

namespace KubeMesh.ApiServer.Storage.Encryption;

/// <summary>
/// kube-apiserver's aesgcm provider: values are written as "k8s:enc:aesgcm:v1:NAME:" + nonce (12 bytes) + ciphertext +
/// tag (16 bytes) with the first key, and read with whichever key the prefix names. The resource's storage path is the
/// authenticated data, so a ciphertext copied under another resource does not decrypt.
/// </summary>
public sealed class AesGcmTransformer
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly IReadOnlyList<(byte[] Prefix, byte[] Key)> _keys;

    /// <param name="keys">Name and 16, 24 or 32-byte key each; the first encrypts.</param>
    public AesGcmTransformer(IReadOnlyList<(string Name, byte[] Key)> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("aesgcm: at least one key", nameof(keys));
        }

        _keys = [.. keys.Select(k => (Encoding.ASCII.GetBytes($"k8s:enc:aesgcm:v1:{k.Name}:"), k.Key))];
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> authenticatedData)
    {
        var (prefix, key) = _keys[0];
        var output = new byte[prefix.Length + NonceSize + plaintext.Length + TagSize];
        prefix.CopyTo(output, 0);
        var nonce = output.AsSpan(prefix.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(prefix.Length + NonceSize, plaintext.Length), output.AsSpan(output.Length - TagSize), authenticatedData);
        return output;
    }

    public bool WroteWithCurrentKey(ReadOnlySpan<byte> stored) => stored.StartsWith(_keys[0].Prefix);

    /// <summary>Decrypts a value one of these keys wrote; false when its prefix names none of them.</summary>
    /// <exception cref="AuthenticationTagMismatchException">The value or its authenticated data was changed.</exception>
    public bool TryDecrypt(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> authenticatedData, out byte[] plaintext)
    {
        foreach (var (prefix, key) in _keys)
        {
            if (!stored.StartsWith(prefix))
            {
                continue;
            }

            var body = stored[prefix.Length..];
            if (body.Length < NonceSize + TagSize)
            {
                throw new AuthenticationTagMismatchException("the encrypted value is truncated");
            }

            plaintext = new byte[body.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(body[..NonceSize], body[NonceSize..^TagSize], body[^TagSize..], plaintext, authenticatedData);
            return true;
        }

        plaintext = [];
        return false;
    }
}
