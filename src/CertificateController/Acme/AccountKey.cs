using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace KubeMesh.CertificateController.Acme;

/// <summary>
/// An ACME account's key: ECDSA P-256, signing as JWS "ES256" (RFC 7518 section 3.4: r||s, 64 bytes), with its JWK
/// and RFC 7638 thumbprint, from which every key authorization is made.
/// </summary>
public sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    public AccountKey(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("an ACME account key must be an ECDSA P-256 key (ES256)", nameof(key));
        }

        _key = key;
        X = Base64Url.EncodeToString(parameters.Q.X);
        Y = Base64Url.EncodeToString(parameters.Q.Y);

        // RFC 7638: the required members in lexicographic order, no white space.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{X}\",\"y\":\"{Y}\"}}";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public string X { get; }

    public string Y { get; }

    /// <summary>base64url(SHA-256(canonical JWK)): the second half of every key authorization.</summary>
    public string Thumbprint { get; }

    public static AccountKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PEM private key ("EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY").</summary>
    /// <exception cref="ArgumentException">The PEM holds no key, or not a P-256 one.</exception>
    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return new AccountKey(key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new ArgumentException($"not an ECDSA P-256 private key: {e.Message}", nameof(pem), e);
        }
    }

    public string ExportPem() => _key.ExportECPrivateKeyPem();

    public JsonObject Jwk() => new() { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = X, ["y"] = Y };

    /// <summary>The value an HTTP-01 solver serves for a token (RFC 8555 section 8.1).</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
