using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace KubeMesh.ServiceDefaults.Tls;

public static class KestrelTlsExtensions
{
    /// <summary>The TLS settings in <paramref name="section"/>, checked: a certificate needs its key, and every file must exist.</summary>
    /// <exception cref="InvalidOperationException">Naming the setting that is wrong.</exception>
    public static ServingTlsOptions ServingTls(this IConfiguration configuration, string section)
    {
        var options = configuration.GetSection(section).Get<ServingTlsOptions>() ?? new ServingTlsOptions();
        if (!options.Enabled)
        {
            return string.IsNullOrWhiteSpace(options.KeyFile) && string.IsNullOrWhiteSpace(options.ClientCaFile)
                ? options
                : throw new InvalidOperationException($"{section}:CertFile: required when {section}:KeyFile or :ClientCaFile is set");
        }

        foreach (var (name, file) in new[] { ("CertFile", options.CertFile), ("KeyFile", options.KeyFile), ("ClientCaFile", options.ClientCaFile) })
        {
            if (name != "ClientCaFile" && string.IsNullOrWhiteSpace(file))
            {
                throw new InvalidOperationException($"{section}:{name}: required when {section}:CertFile is set");
            }

            if (!string.IsNullOrWhiteSpace(file) && !File.Exists(file))
            {
                throw new InvalidOperationException($"{section}:{name}: Invalid value: \"{file}\": no such file");
            }
        }

        return options;
    }

    /// <summary>
    /// Serves <paramref name="options"/>' certificate and asks for a client certificate, which must chain to the client
    /// CA and be issued for client authentication; a connection offering one that does not is refused in the
    /// handshake. <paramref name="mode"/> says whether a connection without one is still let in (the api-server's
    /// tokens and anonymous requests) or refused (the kubelet's port).
    /// </summary>
    public static void UseServingTls(this HttpsConnectionAdapterOptions https, ServingTlsOptions options, ClientCertificateMode mode)
    {
        https.ServerCertificate = PemFiles.Load(options.CertFile!, options.KeyFile!);
        if (string.IsNullOrWhiteSpace(options.ClientCaFile))
        {
            return;
        }

        var trust = CertificateTrust.FromPemFile(options.ClientCaFile);
        https.ClientCertificateMode = mode;
        https.ClientCertificateValidation = (certificate, chain, _) =>
            trust.Verify(certificate, CertificateUsage.Client, chain?.ChainPolicy.ExtraStore);
    }
}
