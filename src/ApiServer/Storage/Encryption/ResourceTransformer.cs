using System.Text;

namespace KubeMesh.ApiServer.Storage.Encryption;

/// <summary>One resource group's providers in order (null is identity): the first writes, any of them reads.</summary>
public sealed class ResourceTransformer(IReadOnlyList<AesGcmTransformer?> providers)
{
    public byte[] ToStorage(byte[] data, string context) =>
        providers[0] is { } aes ? aes.Encrypt(data, Encoding.UTF8.GetBytes(context)) : data;

    /// <summary>
    /// Whether a stored value was written by another provider or key than the one that writes now: kube-apiserver's
    /// "stale" read, which makes a rewrite of an unchanged object still go to the store, re-encrypting it.
    /// </summary>
    public bool IsStale(ReadOnlySpan<byte> stored) =>
        !stored.IsEmpty && (providers[0] is { } aes ? !aes.WroteWithCurrentKey(stored) : stored.StartsWith("k8s:enc:"u8));

    /// <exception cref="StorageTransformException">No provider listed can read the value.</exception>
    public ReadOnlyMemory<byte> FromStorage(ReadOnlyMemory<byte> stored, string context)
    {
        if (stored.IsEmpty)
        {
            return stored;
        }

        var authenticatedData = Encoding.UTF8.GetBytes(context);
        foreach (var provider in providers)
        {
            if (provider is not null && provider.TryDecrypt(stored.Span, authenticatedData, out var plaintext))
            {
                return plaintext;
            }
        }

        // A value no aesgcm key claims is plaintext, readable only where identity is listed (data written before encryption).
        if (providers.Contains(null) && !stored.Span.StartsWith("k8s:enc:"u8))
        {
            return stored;
        }

        throw new StorageTransformException($"{context}: no configured encryption provider can read this value");
    }
}
