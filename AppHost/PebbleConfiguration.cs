using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace KubeMesh.AppHost;

/// <summary>
/// pebble's configuration file and the certificate of its HTTPS listener, which Debian's package does not ship:
/// made once under the data directory by a CA of their own (ca.pem, for an issuer's caBundle). Validation goes to
/// the ingress's HTTP and HTTPS ports.
/// </summary>
internal static class PebbleConfiguration
{
    public const string CaFile = "ca.pem";

    /// <summary>Writes pebble-config.json (every start: the ports may change) and returns its path.</summary>
    public static string Write(string directory, ClusterOptions cluster)
    {
        Directory.CreateDirectory(directory);
        var certificate = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        if (!File.Exists(certificate) || !File.Exists(key) || !File.Exists(Path.Combine(directory, CaFile)))
        {
            CreateListenerCertificate(directory, certificate, key);
        }

        var config = Path.Combine(directory, "pebble-config.json");
        File.WriteAllText(config, new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = "127.0.0.1:" + cluster.PebblePort.ToString(CultureInfo.InvariantCulture),
                ["managementListenAddress"] = "127.0.0.1:" + cluster.PebbleManagementPort.ToString(CultureInfo.InvariantCulture),
                ["certificate"] = certificate,
                ["privateKey"] = key,
                ["httpPort"] = cluster.IngressHttpPort,
                ["tlsPort"] = cluster.IngressHttpsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
            },
        }.ToJsonString());
        return config;
    }

    private static void CreateListenerCertificate(string directory, string certificatePath, string keyPath)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=KubeMesh pebble listener CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddYears(5), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(Path.Combine(directory, CaFile), ca.ExportCertificatePem() + "\n");
        File.WriteAllText(certificatePath, server.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
