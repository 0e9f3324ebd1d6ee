using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Compact JWS with ES256 only (RFC 7515, 7518): header.payload.signature, the signature being the raw r||s of
/// ECDSA P-256 over SHA-256. Verification takes nothing from the header but the key id check: "alg" must be
/// ES256, so neither "none" nor an algorithm swap gets through.
/// </summary>
public static class JsonWebSignature
{
    /// <summary>Tokens longer than this are refused before any parsing.</summary>
    public const int MaxTokenLength = 16 * 1024;

    public static string Sign(JsonObject claims, ECDsa key, string keyId)
    {
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = keyId };
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>The claims of a token whose signature <paramref name="key"/> verifies.</summary>
    /// <exception cref="AuthenticationException">Malformed, another algorithm, or a signature that does not verify.</exception>
    public static JsonObject Verify(string token, ECDsa key) => Verify(token, [new VerificationKey("", key)]);

    /// <summary>
    /// The claims of a token whose signature one of <paramref name="keys"/> verifies: the key its "kid" names first,
    /// then the others, as kube-apiserver tries every --service-account-key-file.
    /// </summary>
    /// <exception cref="AuthenticationException">Malformed, another algorithm, or a signature none of the keys verifies.</exception>
    public static JsonObject Verify(string token, IReadOnlyList<VerificationKey> keys)
    {
        if (token.Length > MaxTokenLength)
        {
            throw new AuthenticationException("token too long");
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new AuthenticationException("not a compact JWS");
        }

        var header = Decode(parts[0]);
        if (header["alg"]?.GetValueKind() != JsonValueKind.String || (string)header["alg"]! != "ES256")
        {
            throw new AuthenticationException("unsupported signing algorithm");
        }

        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            throw new AuthenticationException("malformed signature");
        }

        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var kid = header["kid"]?.GetValueKind() == JsonValueKind.String ? (string)header["kid"]! : "";
        foreach (var key in keys.OrderBy(k => k.KeyId == kid ? 0 : 1))
        {
            if (key.Key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return Decode(parts[1]);
            }
        }

        throw new AuthenticationException("invalid signature");
    }

    private static string Encode(JsonObject value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value.ToJsonString()));

    private static JsonObject Decode(string part)
    {
        try
        {
            return JsonNode.Parse(Base64Url.DecodeFromChars(part), documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                ?? throw new AuthenticationException("malformed token");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new AuthenticationException("malformed token");
        }
    }
}

/// <summary>A public key service-account tokens are verified with, and its key id (base64url SHA-256 of the key).</summary>
public sealed record VerificationKey(string KeyId, ECDsa Key);
