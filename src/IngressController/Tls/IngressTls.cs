using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Configuration;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// The TLS part of one build: the ingresses' tls sections as certificates by host name (the first ingress to
/// name a host keeps it), the hosts TLS is configured for (ssl-redirect's default), and the secrets read, by
/// "namespace/name", which the next build is handed so an unchanged secret is not parsed again.
/// </summary>
internal sealed record IngressTls(CertificateSet Certificates, IReadOnlySet<string> Hosts, IReadOnlyDictionary<string, TlsSecretCertificate> Secrets)
{
    public static IngressTls Build(IReadOnlyList<Ingress> ingresses, BuildContext context, IReadOnlyDictionary<string, TlsSecretCertificate> previous)
    {
        var byHost = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var secrets = new Dictionary<string, TlsSecretCertificate>(StringComparer.Ordinal);
        foreach (var ingress in ingresses)
        {
            foreach (var tls in ingress.Spec?.Tls ?? [])
            {
                hosts.UnionWith(tls.Hosts.Select(h => h.ToLowerInvariant()));
                if (tls.SecretName.Length == 0)
                {
                    continue;
                }

                var ns = ingress.Metadata.Namespace;
                var key = ns + "/" + tls.SecretName;
                context.Referenced.Add(key);
                var secret = context.State.GetSecret(ns, tls.SecretName);
                var loaded = secret is null ? null : secrets.GetValueOrDefault(key) ?? TlsSecretCertificate.Load(secret, previous.GetValueOrDefault(key));
                if (loaded is not null)
                {
                    secrets[key] = loaded;
                }

                if (loaded?.Certificate is not { } certificate)
                {
                    context.Warn(ingress, $"tls secret {key}: {loaded?.Error ?? "not found"}; serving the default certificate");
                    continue;
                }

                foreach (var host in tls.Hosts)
                {
                    byHost.TryAdd(host, certificate);
                }
            }
        }

        return new IngressTls(new CertificateSet(byHost), hosts, secrets);
    }
}
