using System.Globalization;
using System.Net;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.CertificateController.Controllers.IngressShim;

/// <summary>
/// The Certificates an annotated Ingress asks for (cert-manager's certificate-shim buildCertificates): one per tls
/// entry, named after its secretName, for its hosts, from the issuer the annotations name, with the certificate
/// annotations (duration, renew-before, usages, private key) carried into the spec. Problems are returned in
/// cert-manager's words for a BadConfig event.
/// </summary>
internal static class IngressCertificates
{
    public sealed record Issuer(string Name, string Kind, string Group);

    /// <summary>The issuer the ingress names, null when it names none, or an error for contradictory annotations.</summary>
    public static Issuer? IssuerOf(Ingress ingress, CertificateControllerOptions options, out string? error)
    {
        error = null;
        var annotations = ingress.Metadata.Annotations;
        var issuer = annotations.GetValueOrDefault(CertManagerNames.IngressIssuer);
        var clusterIssuer = annotations.GetValueOrDefault(CertManagerNames.IngressClusterIssuer);
        var kind = annotations.GetValueOrDefault(CertManagerNames.IngressIssuerKind);
        var group = annotations.GetValueOrDefault(CertManagerNames.IngressIssuerGroup, CertManagerNames.Group);
        if (issuer is not null && clusterIssuer is not null)
        {
            error = $"both \"{CertManagerNames.IngressIssuer}\" and \"{CertManagerNames.IngressClusterIssuer}\" may not be set";
            return null;
        }

        if (clusterIssuer is not null && kind is not null)
        {
            error = $"both \"{CertManagerNames.IngressClusterIssuer}\" and \"{CertManagerNames.IngressIssuerKind}\" may not be set";
            return null;
        }

        if (issuer is { Length: > 0 })
        {
            return new Issuer(issuer, kind ?? "Issuer", group);
        }

        if (clusterIssuer is { Length: > 0 })
        {
            return new Issuer(clusterIssuer, "ClusterIssuer", group);
        }

        return annotations.GetValueOrDefault(CertManagerNames.TlsAcme) == "true" && options.DefaultIssuerName.Length > 0
            ? new Issuer(options.DefaultIssuerName, options.DefaultIssuerKind, options.DefaultIssuerGroup)
            : null;
    }

    public static List<Certificate> Build(Ingress ingress, Issuer issuer, List<string> problems)
    {
        var certificates = new List<Certificate>();
        var tls = ingress.Spec?.Tls ?? [];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tls.Count; i++)
        {
            var entry = tls[i];
            if (entry.SecretName.Length == 0)
            {
                problems.Add($"Skipped a TLS block: spec.tls[{i}].secretName: Required value");
                continue;
            }

            if (entry.Hosts.Count == 0)
            {
                problems.Add($"Skipped a TLS block: spec.tls[{i}].hosts: Required value");
                continue;
            }

            if (seen.TryGetValue(entry.SecretName, out var first))
            {
                problems.Add($"Skipped a TLS block: spec.tls[{i}].secretName: Invalid value: \"{entry.SecretName}\": this secret name must only appear in a single TLS entry but is also used in spec.tls[{first}].secretName");
                continue;
            }

            seen[entry.SecretName] = i;
            if (Build(ingress, issuer, entry, problems) is { } certificate)
            {
                certificates.Add(certificate);
            }
        }

        return certificates;
    }

    private static Certificate? Build(Ingress ingress, Issuer issuer, IngressTLS tls, List<string> problems)
    {
        var hosts = tls.Hosts.Distinct(StringComparer.Ordinal).ToList();
        var certificate = new Certificate
        {
            Metadata = new ObjectMeta
            {
                Name = tls.SecretName,
                Namespace = ingress.Metadata.Namespace,
                OwnerReferences = { OwnerReferences.NewControllerRef(ingress.Metadata, ResourceKinds.Ingress) },
            },
            Spec = new CertificateSpec
            {
                SecretName = tls.SecretName,
                IssuerRef = new IssuerReference { Name = issuer.Name, Kind = issuer.Kind, Group = issuer.Group },
            },
        };
        certificate.Metadata.Labels.Add(ingress.Metadata.Labels);
        certificate.Spec.DnsNames.Add(hosts.Where(h => !IPAddress.TryParse(h, out _)));
        certificate.Spec.IpAddresses.Add(hosts.Where(h => IPAddress.TryParse(h, out _)));
        var annotations = ingress.Metadata.Annotations;
        var spec = certificate.Spec;
        if (annotations.TryGetValue(CertManagerNames.CommonName, out var commonName))
        {
            spec.CommonName = commonName;
        }

        if (!Duration(annotations, CertManagerNames.Duration, problems, d => spec.Duration = d)
            || !Duration(annotations, CertManagerNames.RenewBefore, problems, d => spec.RenewBefore = d))
        {
            return null;
        }

        if (annotations.TryGetValue(CertManagerNames.Usages, out var usages))
        {
            var list = usages.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (list.FirstOrDefault(u => !KeyUsages.IsKnown(u)) is { } unknown)
            {
                problems.Add($"{CertManagerNames.Usages} annotation: unknown key usage \"{unknown}\"");
                return null;
            }

            spec.Usages.Add(list);
        }

        if (!PrivateKey(annotations, spec, problems))
        {
            return null;
        }

        if (annotations.TryGetValue(CertManagerNames.RevisionHistoryLimit, out var limit))
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                problems.Add($"{CertManagerNames.RevisionHistoryLimit} annotation: must be a whole number greater than 0, got \"{limit}\"");
                return null;
            }

            spec.RevisionHistoryLimit = value;
        }

        // HTTP-01 through this very ingress, or through ingresses of another class.
        if (annotations.GetValueOrDefault(CertManagerNames.Http01EditInPlace) == "true")
        {
            certificate.Metadata.Annotations[CertManagerNames.Http01IngressNameOverride] = ingress.Metadata.Name;
        }
        else if (annotations.TryGetValue(CertManagerNames.Http01IngressClass, out var ingressClass))
        {
            certificate.Metadata.Annotations[CertManagerNames.Http01IngressClassOverride] = ingressClass;
        }

        return certificate;
    }

    private static bool Duration(IReadOnlyDictionary<string, string> annotations, string key, List<string> problems, Action<string> set)
    {
        if (!annotations.TryGetValue(key, out var value))
        {
            return true;
        }

        if (!GoDuration.TryParse(value, out _, out var error))
        {
            problems.Add($"{key} annotation: {error}");
            return false;
        }

        set(value);
        return true;
    }

    private static bool PrivateKey(IReadOnlyDictionary<string, string> annotations, CertificateSpec spec, List<string> problems)
    {
        var key = new CertificatePrivateKey();
        var any = false;
        if (annotations.TryGetValue(CertManagerNames.PrivateKeyAlgorithm, out var algorithm))
        {
            key.Algorithm = algorithm;
            any = true;
        }

        if (annotations.TryGetValue(CertManagerNames.PrivateKeySize, out var size))
        {
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
            {
                problems.Add($"{CertManagerNames.PrivateKeySize} annotation: must be a whole number, got \"{size}\"");
                return false;
            }

            key.Size = bits;
            any = true;
        }

        if (annotations.TryGetValue(CertManagerNames.PrivateKeyRotationPolicy, out var rotation))
        {
            key.RotationPolicy = rotation;
            any = true;
        }

        if (annotations.TryGetValue(CertManagerNames.PrivateKeyEncoding, out var encoding))
        {
            key.Encoding = encoding;
            any = true;
        }

        if (any)
        {
            spec.PrivateKey = key;
        }

        return true;
    }
}
