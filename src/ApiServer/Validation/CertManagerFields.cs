using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>The checks cert-manager's webhook applies to fields several of its kinds share.</summary>
internal static class CertManagerFields
{
    public const string Group = "cert-manager.io";

    public static void IssuerRef(string path, IssuerReference? reference, ErrorList errors)
    {
        if (reference is null || reference.Name.Length == 0)
        {
            errors.Required($"{path}.name", "must be specified");
        }

        // Other groups are external issuers, whose kinds only their own controllers know.
        if (reference is not null && (reference.Group.Length == 0 || reference.Group == Group)
            && reference.Kind is not ("" or "Issuer" or "ClusterIssuer"))
        {
            var message = "must be one of Issuer or ClusterIssuer";
            if (reference.Group.Length == 0)
            {
                message += $" (did you forget to set {path}.group?)";
            }

            errors.Add(FieldError.Invalid($"{path}.kind", reference.Kind, message));
        }
    }

    public static void Usages(string path, IReadOnlyList<string> usages, ErrorList errors)
    {
        for (var i = 0; i < usages.Count; i++)
        {
            if (!KeyUsages.IsKnown(usages[i]))
            {
                errors.Add(FieldError.Invalid($"{path}[{i}]", usages[i], "unknown keyusage"));
            }
        }
    }

    /// <summary>A Go duration ("2160h", "59m55s"); null when absent or invalid (the error is recorded).</summary>
    public static TimeSpan? Duration(string path, string value, ErrorList errors)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (!GoDuration.TryParse(value, out var duration, out var error))
        {
            errors.Add(FieldError.Invalid(path, value, error));
            return null;
        }

        return duration;
    }

    /// <summary>An absolute http or https URL.</summary>
    public static void Url(string path, string value, string detail, ErrorList errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add(FieldError.Invalid(path, value, detail));
        }
    }

    /// <summary>A PEM bundle with at least one certificate (caBundle fields).</summary>
    public static void CertificateBundle(string path, ReadOnlySpan<byte> pem, ErrorList errors)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(System.Text.Encoding.UTF8.GetString(pem));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            errors.Add(FieldError.Invalid(path, "", "cert bundle didn't contain any valid certificates: " + e.Message));
            return;
        }

        if (certificates.Count == 0)
        {
            errors.Add(FieldError.Invalid(path, "", "cert bundle didn't contain any valid certificates"));
        }
    }
}
