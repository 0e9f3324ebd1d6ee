using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.CertManager;

/// <summary>cert-manager's key usage names (spec.usages) and the X.509 key usage bit or extended key usage each stands for.</summary>
public static class KeyUsages
{
    /// <summary>What a Certificate without spec.usages gets (cert-manager's DefaultKeyUsages).</summary>
    public static readonly IReadOnlyList<string> Default = ["digital signature", "key encipherment"];

    private static readonly FrozenDictionary<string, X509KeyUsageFlags> Bits = new Dictionary<string, X509KeyUsageFlags>
    {
        ["signing"] = X509KeyUsageFlags.DigitalSignature,
        ["digital signature"] = X509KeyUsageFlags.DigitalSignature,
        ["content commitment"] = X509KeyUsageFlags.NonRepudiation,
        ["key encipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["key agreement"] = X509KeyUsageFlags.KeyAgreement,
        ["data encipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["cert sign"] = X509KeyUsageFlags.KeyCertSign,
        ["crl sign"] = X509KeyUsageFlags.CrlSign,
        ["encipher only"] = X509KeyUsageFlags.EncipherOnly,
        ["decipher only"] = X509KeyUsageFlags.DecipherOnly,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ExtendedOids = new Dictionary<string, string>
    {
        ["any"] = "2.5.29.37.0",
        ["server auth"] = "1.3.6.1.5.5.7.3.1",
        ["client auth"] = "1.3.6.1.5.5.7.3.2",
        ["code signing"] = "1.3.6.1.5.5.7.3.3",
        ["email protection"] = "1.3.6.1.5.5.7.3.4",
        ["s/mime"] = "1.3.6.1.5.5.7.3.4",
        ["ipsec end system"] = "1.3.6.1.5.5.7.3.5",
        ["ipsec tunnel"] = "1.3.6.1.5.5.7.3.6",
        ["ipsec user"] = "1.3.6.1.5.5.7.3.7",
        ["timestamping"] = "1.3.6.1.5.5.7.3.8",
        ["ocsp signing"] = "1.3.6.1.5.5.7.3.9",
        ["microsoft sgc"] = "1.3.6.1.4.1.311.10.3.3",
        ["netscape sgc"] = "2.16.840.1.113730.4.1",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string usage) => Bits.ContainsKey(usage) || ExtendedOids.ContainsKey(usage);

    /// <summary>The key usage bits and extended key usage OIDs of the named usages (the defaults when there are none).</summary>
    public static (X509KeyUsageFlags Bits, IReadOnlyList<string> ExtendedOids) Resolve(IEnumerable<string> usages)
    {
        var names = usages.ToList();
        if (names.Count == 0)
        {
            names = [.. Default];
        }

        var bits = X509KeyUsageFlags.None;
        var oids = new List<string>();
        foreach (var name in names)
        {
            if (Bits.TryGetValue(name, out var bit))
            {
                bits |= bit;
            }
            else if (ExtendedOids.TryGetValue(name, out var oid) && !oids.Contains(oid))
            {
                oids.Add(oid);
            }
        }

        return (bits, oids);
    }
}
