using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;
using KubeMesh.CertificateController.Pki;

namespace KubeMesh.CertificateController.Controllers.Certificates;

/// <summary>
/// cert-manager's policy chains (internal/controller/certificates/policies): what, if anything, is wrong with a
/// Certificate's Secret. The readiness chain stops at expiry; the trigger chain also renews at the renewal time.
/// Each violation carries cert-manager's reason and message.
/// </summary>
internal static class CertificatePolicies
{
    public sealed record Violation(string Reason, string Message);

    public static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(90);

    /// <summary>
    /// Why the Certificate is not Ready, or null when its Secret holds a valid certificate for its spec;
    /// <paramref name="current"/> is the request the Secret's certificate was issued from, when it is still there.
    /// </summary>
    public static Violation? Readiness(Certificate certificate, Secret? secret, CertificateRequest? current, DateTimeOffset now) =>
        SecretChecks(certificate, secret, current, now, includeRenewal: false);

    /// <summary>Why a new certificate should be issued now, or null.</summary>
    public static Violation? Trigger(Certificate certificate, Secret? secret, CertificateRequest? current, DateTimeOffset now) =>
        SecretChecks(certificate, secret, current, now, includeRenewal: true);

    /// <summary>When to renew (cert-manager's pki.RenewalTime): renewBefore, else renewBeforePercentage, else a third of the lifetime before notAfter.</summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset notBefore, DateTimeOffset notAfter, CertificateSpec spec)
    {
        var lifetime = notAfter - notBefore;
        TimeSpan renewBefore;
        if (GoDuration.TryParse(spec.RenewBefore, out var before, out _) && before > TimeSpan.Zero && before < lifetime)
        {
            renewBefore = before;
        }
        else if (spec.HasRenewBeforePercentage && spec.RenewBeforePercentage is > 0 and < 100)
        {
            renewBefore = lifetime * spec.RenewBeforePercentage / 100.0;
        }
        else
        {
            renewBefore = lifetime / 3;
        }

        var at = notAfter - renewBefore;
        return new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static TimeSpan Duration(CertificateSpec spec) =>
        GoDuration.TryParse(spec.Duration, out var duration, out _) && duration > TimeSpan.Zero ? duration : DefaultDuration;

    private static Violation? SecretChecks(Certificate certificate, Secret? secret, CertificateRequest? current, DateTimeOffset now, bool includeRenewal)
    {
        var spec = certificate.Spec ?? new CertificateSpec();
        if (secret is null)
        {
            return new("DoesNotExist", "Issuing certificate as Secret does not exist");
        }

        if (secret.Data.Count == 0)
        {
            return new("MissingData", "Issuing certificate as Secret does not contain any data");
        }

        if (!secret.Data.TryGetValue(TlsSecretData.PrivateKey, out var keyData) || keyData.IsEmpty)
        {
            return new("MissingData", "Issuing certificate as Secret does not contain a private key");
        }

        if (!secret.Data.TryGetValue(TlsSecretData.Certificate, out var certData) || certData.IsEmpty)
        {
            return new("MissingData", "Issuing certificate as Secret does not contain a certificate");
        }

        AsymmetricAlgorithm key;
        try
        {
            key = PrivateKeys.FromPem(keyData.ToStringUtf8());
        }
        catch (CryptographicException e)
        {
            return new("InvalidKeyPair", $"Issuing certificate as Secret contains invalid private key data: {e.Message}");
        }

        using (key)
        {
            X509Certificate2 leaf;
            try
            {
                leaf = TlsSecretData.Chain(secret)[0];
            }
            catch (CryptographicException e)
            {
                return new("InvalidCertificate", $"Issuing certificate as Secret contains an invalid certificate: {e.Message}");
            }

            if (!PrivateKeys.Matches(key, leaf.PublicKey))
            {
                return new("InvalidKeyPair", "Issuing certificate as Secret contains a private key that does not match the certificate");
            }

            if (PrivateKeys.Mismatches(key, spec.PrivateKey) is { Count: > 0 } keyMismatches)
            {
                return new("SecretMismatch", $"Existing private key is not up to date for spec: [{string.Join(" ", keyMismatches)}]");
            }

            if (IssuerMismatch(spec, secret) is { } issuedBy)
            {
                return new("IncorrectIssuer", $"Issuing certificate as Secret was previously issued by \"{issuedBy}\"");
            }

            if (secret.Metadata.Annotations.TryGetValue(CertManagerNames.CertificateName, out var owner) && owner != certificate.Metadata.Name)
            {
                return new("IncorrectCertificate", $"Secret was issued for \"{owner}\". If this message is not transient, you might have two conflicting Certificates pointing to the same secret.");
            }

            // Fields only the request shows (duration, usages, the issuer): cert-manager's CurrentCertificateRequestMismatchesSpec.
            if (current is not null && CertificateRequests.Mismatches(current, spec) is { Count: > 0 } requestMismatches)
            {
                return new("RequestChanged", $"Fields on existing CertificateRequest resource not up to date: [{string.Join(" ", requestMismatches)}]");
            }

            if (SpecMismatches(spec, leaf) is { Count: > 0 } specMismatches)
            {
                return new("SecretMismatch", $"Issuing certificate as Existing issued Secret is not up to date for spec: [{string.Join(" ", specMismatches)}]");
            }

            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
            if (now >= notAfter)
            {
                return new("Expired", "Certificate expired on " + notAfter.ToString("r", CultureInfo.InvariantCulture));
            }

            var renewal = RenewalTime(new DateTimeOffset(leaf.NotBefore.ToUniversalTime()), notAfter, spec);
            if (includeRenewal && now >= renewal)
            {
                return new("Renewing", "Renewing certificate as renewal was scheduled at " + renewal.ToString("yyyy-MM-dd HH:mm:ss +0000 UTC", CultureInfo.InvariantCulture));
            }

            return null;
        }
    }

    private static string? IssuerMismatch(CertificateSpec spec, Secret secret)
    {
        var annotations = secret.Metadata.Annotations;
        if (!annotations.TryGetValue(CertManagerNames.IssuerName, out var name))
        {
            return null;
        }

        var kind = annotations.GetValueOrDefault(CertManagerNames.IssuerKind, "");
        var group = annotations.GetValueOrDefault(CertManagerNames.IssuerGroup, "");
        var wanted = spec.IssuerRef ?? new Api.CertManager.Meta.V1.IssuerReference();
        static string Kind(string k) => k.Length == 0 ? "Issuer" : k;
        static string Group(string g) => g.Length == 0 ? CertManagerNames.Group : g;
        return name == wanted.Name && Kind(kind) == Kind(wanted.Kind) && Group(group) == Group(wanted.Group)
            ? null
            : $"{Kind(kind)}.{Group(group)}/{name}";
    }

    /// <summary>The spec fields the issued certificate does not carry (cert-manager's SecretDataAltNamesMatchSpec).</summary>
    private static List<string> SpecMismatches(CertificateSpec spec, X509Certificate2 leaf)
    {
        var mismatches = new List<string>();
        var commonName = leaf.GetNameInfo(X509NameType.SimpleName, false);
        if (spec.CommonName.Length > 0 && commonName != spec.CommonName)
        {
            mismatches.Add("spec.commonName");
        }

        var sans = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var dnsNames = sans?.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var wanted = spec.DnsNames.ToHashSet(StringComparer.OrdinalIgnoreCase);

        // An ACME server puts the common name among the names too.
        var allowed = new HashSet<string>(wanted, StringComparer.OrdinalIgnoreCase);
        if (spec.CommonName.Length > 0)
        {
            allowed.Add(spec.CommonName);
        }

        if (!wanted.IsSubsetOf(dnsNames) || !dnsNames.IsSubsetOf(allowed))
        {
            mismatches.Add("spec.dnsNames");
        }

        var ips = sans?.EnumerateIPAddresses().ToHashSet() ?? [];
        if (!ips.SetEquals(spec.IpAddresses.Select(IPAddress.Parse)))
        {
            mismatches.Add("spec.ipAddresses");
        }

        var basicConstraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if ((basicConstraints?.CertificateAuthority ?? false) != spec.IsCa)
        {
            mismatches.Add("spec.isCA");
        }

        return mismatches;
    }
}
