using System.Security.Cryptography;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>cert-manager.io/v1 CertificateRequest: a signed PKCS#10 request in PEM, and an issuer to send it to.</summary>
internal static class CertificateRequestValidator
{
    public static void Validate(CertificateRequest request, ErrorList errors)
    {
        if (request.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        CertManagerFields.IssuerRef("spec.issuerRef", spec.IssuerRef, errors);
        CertManagerFields.Usages("spec.usages", spec.Usages, errors);
        CertManagerFields.Duration("spec.duration", spec.Duration, errors);
        if (spec.Request.IsEmpty)
        {
            errors.Required("spec.request", "must be specified");
            return;
        }

        try
        {
            // Also checks the request's self-signature: a CSR nobody holding the key made is not a request.
            System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(
                spec.Request.ToStringUtf8(), HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            errors.Add(FieldError.Invalid("spec.request", "<PEM omitted>", "error decoding certificate request PEM block: " + e.Message));
        }
    }
}
