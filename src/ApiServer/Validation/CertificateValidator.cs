using System.Net;
using System.Net.Mail;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>cert-manager.io/v1 Certificate, as cert-manager's webhook checks it.</summary>
internal static class CertificateValidator
{
    // cert-manager's MinimumCertificateDuration and MinimumRenewBefore.
    private static readonly TimeSpan MinimumDuration = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinimumRenewBefore = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(90);

    public static void Validate(Certificate certificate, ErrorList errors)
    {
        if (certificate.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        if (spec.SecretName.Length == 0)
        {
            errors.Required("spec.secretName", "must be specified");
        }
        else
        {
            errors.Invalid("spec.secretName", spec.SecretName, NameValidation.IsDns1123Subdomain(spec.SecretName));
        }

        if (spec.CommonName.Length == 0 && spec.DnsNames.Count == 0 && spec.EmailAddresses.Count == 0
            && spec.IpAddresses.Count == 0 && spec.Uris.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec", "", "at least one of commonName, dnsNames, emailAddresses, ipAddresses or uris must be set"));
        }

        if (spec.CommonName.Length > 64)
        {
            errors.Add(FieldError.TooLong("spec.commonName", spec.CommonName, 64));
        }

        Names(spec, errors);
        CertManagerFields.IssuerRef("spec.issuerRef", spec.IssuerRef, errors);
        CertManagerFields.Usages("spec.usages", spec.Usages, errors);
        PrivateKey(spec.PrivateKey, errors);
        Durations(spec, errors);
        if (spec.HasRevisionHistoryLimit && spec.RevisionHistoryLimit < 1)
        {
            errors.Add(FieldError.Invalid("spec.revisionHistoryLimit", spec.RevisionHistoryLimit, "must not be less than 1"));
        }

        if (spec.SecretTemplate is { } template)
        {
            errors.Labels("spec.secretTemplate.labels", template.Labels);
            foreach (var key in template.Annotations.Keys.Where(k => k.StartsWith("cert-manager.io/", StringComparison.Ordinal)))
            {
                errors.Add(FieldError.Invalid("spec.secretTemplate.annotations", key, "cert-manager.io/* annotations are not allowed"));
            }
        }
    }

    private static void Names(CertificateSpec spec, ErrorList errors)
    {
        for (var i = 0; i < spec.DnsNames.Count; i++)
        {
            errors.Invalid($"spec.dnsNames[{i}]", spec.DnsNames[i], NameValidation.IsWildcardDns1123Subdomain(spec.DnsNames[i].ToLowerInvariant()));
        }

        for (var i = 0; i < spec.IpAddresses.Count; i++)
        {
            if (!IPAddress.TryParse(spec.IpAddresses[i], out _))
            {
                errors.Add(FieldError.Invalid($"spec.ipAddresses[{i}]", spec.IpAddresses[i], "invalid IP address"));
            }
        }

        for (var i = 0; i < spec.EmailAddresses.Count; i++)
        {
            var email = spec.EmailAddresses[i];
            if (!MailAddress.TryCreate(email, out var parsed))
            {
                errors.Add(FieldError.Invalid($"spec.emailAddresses[{i}]", email, "invalid email address"));
            }
            else if (parsed.Address != email)
            {
                errors.Add(FieldError.Invalid($"spec.emailAddresses[{i}]", email, "invalid email address: make sure the supplied value only contains the email address itself"));
            }
        }

        for (var i = 0; i < spec.Uris.Count; i++)
        {
            if (!Uri.TryCreate(spec.Uris[i], UriKind.Absolute, out _))
            {
                errors.Add(FieldError.Invalid($"spec.uris[{i}]", spec.Uris[i], "must be an absolute URI"));
            }
        }
    }

    private static void PrivateKey(CertificatePrivateKey? key, ErrorList errors)
    {
        if (key is null)
        {
            return;
        }

        errors.OneOf("spec.privateKey.rotationPolicy", key.RotationPolicy, false, "Never", "Always");
        errors.OneOf("spec.privateKey.encoding", key.Encoding, false, "PKCS1", "PKCS8");
        switch (key.Algorithm)
        {
            case "" or "RSA":
                if (key.Size != 0 && key.Size is < 2048 or > 8192)
                {
                    errors.Add(FieldError.Invalid("spec.privateKey.size", key.Size, "must be between 2048 and 8192 for rsa keyAlgorithm"));
                }

                break;
            case "ECDSA":
                if (key.Size is not (0 or 256 or 384 or 521))
                {
                    errors.Add(FieldError.NotSupported("spec.privateKey.size", key.Size, ["256", "384", "521"]));
                }

                break;
            case "Ed25519":
                errors.Add(FieldError.NotSupported("spec.privateKey.algorithm", key.Algorithm, ["RSA", "ECDSA"]));
                break;
            default:
                errors.Add(FieldError.Invalid("spec.privateKey.algorithm", key.Algorithm, "must be either empty or one of RSA or ECDSA"));
                break;
        }
    }

    private static void Durations(CertificateSpec spec, ErrorList errors)
    {
        var duration = CertManagerFields.Duration("spec.duration", spec.Duration, errors);
        var renewBefore = CertManagerFields.Duration("spec.renewBefore", spec.RenewBefore, errors);
        if (duration < MinimumDuration)
        {
            errors.Add(FieldError.Invalid("spec.duration", spec.Duration, "certificate duration must be greater than 1h0m0s"));
        }

        if (renewBefore is not null && spec.HasRenewBeforePercentage)
        {
            errors.Add(FieldError.Invalid("spec.renewBefore", spec.RenewBefore, "renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set"));
            errors.Add(FieldError.Invalid("spec.renewBeforePercentage", spec.RenewBeforePercentage, "renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set"));
        }

        if (renewBefore is { } before && before < MinimumRenewBefore)
        {
            errors.Add(FieldError.Invalid("spec.renewBefore", spec.RenewBefore, "certificate renewBefore must be greater than 5m0s"));
        }

        var lifetime = duration ?? DefaultDuration;
        if (renewBefore is { } renew && renew >= lifetime)
        {
            errors.Add(FieldError.Invalid("spec.renewBefore", spec.RenewBefore, $"certificate duration {Api.CertManager.GoDuration.Format(lifetime)} must be greater than renewBefore {Api.CertManager.GoDuration.Format(renew)}"));
        }

        if (spec.HasRenewBeforePercentage && spec.RenewBeforePercentage is <= 0 or >= 100)
        {
            errors.Add(FieldError.Invalid("spec.renewBeforePercentage", spec.RenewBeforePercentage, "certificate renewBeforePercentage must be between 1 and 99"));
        }
    }
}
