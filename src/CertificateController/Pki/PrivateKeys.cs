using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.CertificateController.Pki;

/// <summary>Private keys as a Certificate's spec.privateKey asks for them (cert-manager's pki.GeneratePrivateKeyForCertificate).</summary>
internal static class PrivateKeys
{
    public const string Rsa = "RSA";
    public const string Ecdsa = "ECDSA";

    public static AsymmetricAlgorithm Generate(CertificatePrivateKey? spec)
    {
        var (algorithm, size) = Wanted(spec);
        return algorithm == Ecdsa ? ECDsa.Create(Curve(size)) : RSA.Create(size);
    }

    /// <summary>The algorithm and size a spec asks for, with cert-manager's defaults (RSA 2048, ECDSA 256).</summary>
    public static (string Algorithm, int Size) Wanted(CertificatePrivateKey? spec)
    {
        var algorithm = spec?.Algorithm is { Length: > 0 } a ? a : Rsa;
        var size = spec?.Size is > 0 ? spec.Size : algorithm == Ecdsa ? 256 : 2048;
        return (algorithm, size);
    }

    /// <summary>PKCS1 (the default) writes "RSA PRIVATE KEY" or SEC 1 "EC PRIVATE KEY"; PKCS8 writes "PRIVATE KEY".</summary>
    public static string ToPem(AsymmetricAlgorithm key, string encoding) => (key, encoding) switch
    {
        (_, "PKCS8") => key.ExportPkcs8PrivateKeyPem(),
        (RSA rsa, _) => rsa.ExportRSAPrivateKeyPem(),
        (ECDsa ec, _) => ec.ExportECPrivateKeyPem(),
        _ => throw new NotSupportedException($"unsupported key type {key.GetType().Name}"),
    };

    /// <summary>Reads an RSA or ECDSA private key from PEM.</summary>
    /// <exception cref="CryptographicException">No RSA or ECDSA private key in the PEM.</exception>
    public static AsymmetricAlgorithm FromPem(string pem)
    {
        var label = PemEncoding.TryFind(pem, out var fields) ? pem[fields.Label] : "";
        if (label is "EC PRIVATE KEY" || (label == "PRIVATE KEY" && IsEcPkcs8(pem, fields)))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return ec;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (ArgumentException e)
        {
            rsa.Dispose();
            throw new CryptographicException("no RSA or ECDSA private key found in PEM data: " + e.Message, e);
        }
    }

    /// <summary>What differs between a key and the spec, in cert-manager's words ("spec.privateKey.algorithm").</summary>
    public static IReadOnlyList<string> Mismatches(AsymmetricAlgorithm key, CertificatePrivateKey? spec)
    {
        var (algorithm, size) = Wanted(spec);
        return key switch
        {
            RSA when algorithm != Rsa => ["spec.privateKey.algorithm"],
            ECDsa when algorithm != Ecdsa => ["spec.privateKey.algorithm"],
            _ when key.KeySize != size => ["spec.privateKey.size"],
            _ => [],
        };
    }

    /// <summary>Whether the private key is the one of this public key (a certificate's or a CSR's).</summary>
    public static bool Matches(AsymmetricAlgorithm key, PublicKey publicKey) =>
        key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo());

    public static HashAlgorithmName HashFor(AsymmetricAlgorithm key) => key is ECDsa { KeySize: > 256 } ec
        ? ec.KeySize > 384 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA384
        : HashAlgorithmName.SHA256;

    private static ECCurve Curve(int size) => size switch
    {
        384 => ECCurve.NamedCurves.nistP384,
        521 => ECCurve.NamedCurves.nistP521,
        _ => ECCurve.NamedCurves.nistP256,
    };

    private static bool IsEcPkcs8(string pem, PemFields fields)
    {
        try
        {
            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            using var probe = ECDsa.Create();
            probe.ImportPkcs8PrivateKey(der, out _);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
