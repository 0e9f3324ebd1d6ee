using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.CertManager.V1;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.CertificateController.Pki;

namespace KubeMesh.CertificateController.Controllers.Certificates;

/// <summary>The CertificateRequest a Certificate makes for one revision, and whether an existing one still fits its spec.</summary>
internal static class CertificateRequests
{
    /// <summary>What the requester is recorded as, the identity cert-manager's controller runs under.</summary>
    public const string Requester = "system:serviceaccount:cert-manager:cert-manager";

    public static CertificateRequest Build(Certificate certificate, string csrPem, int revision, string privateKeySecretName)
    {
        var spec = certificate.Spec;
        var metadata = new ObjectMeta
        {
            GenerateName = certificate.Metadata.Name + "-",
            Namespace = certificate.Metadata.Namespace,
            OwnerReferences = { OwnerReferences.NewControllerRef(certificate.Metadata, ResourceKinds.Certificate) },
        };
        metadata.Labels.Add(certificate.Metadata.Labels);
        metadata.Annotations[CertManagerNames.CertificateRevision] = revision.ToString(CultureInfo.InvariantCulture);
        metadata.Annotations[CertManagerNames.PrivateKeySecretName] = privateKeySecretName;
        metadata.Annotations[CertManagerNames.CertificateName] = certificate.Metadata.Name;
        var request = new CertificateRequest
        {
            Metadata = metadata,
            Spec = new CertificateRequestSpec
            {
                Duration = GoDuration.Format(CertificatePolicies.Duration(spec)),
                IssuerRef = spec.IssuerRef?.Clone() ?? new IssuerReference(),
                Request = ByteString.CopyFromUtf8(csrPem),
                IsCa = spec.IsCa,
                Username = Requester,
            },
        };
        request.Spec.Usages.Add(spec.Usages.Count > 0 ? spec.Usages : KeyUsages.Default);
        return request;
    }

    /// <summary>The spec fields the request no longer matches (cert-manager's RequestMatchesSpec).</summary>
    public static IReadOnlyList<string> Mismatches(CertificateRequest request, CertificateSpec spec)
    {
        var mismatches = new List<string>();
        var requestSpec = request.Spec ?? new CertificateRequestSpec();
        if (!SameIssuer(requestSpec.IssuerRef, spec.IssuerRef))
        {
            mismatches.Add("spec.issuerRef");
        }

        if (GoDuration.TryParse(requestSpec.Duration, out var duration, out _) && duration != CertificatePolicies.Duration(spec))
        {
            mismatches.Add("spec.duration");
        }

        if (requestSpec.IsCa != spec.IsCa)
        {
            mismatches.Add("spec.isCA");
        }

        var usages = spec.Usages.Count > 0 ? spec.Usages.ToList() : [.. KeyUsages.Default];
        if (!requestSpec.Usages.Order(StringComparer.Ordinal).SequenceEqual(usages.Order(StringComparer.Ordinal)))
        {
            mismatches.Add("spec.usages");
        }

        System.Security.Cryptography.X509Certificates.CertificateRequest csr;
        try
        {
            csr = CertificateSigner.LoadCsr(requestSpec.Request.ToStringUtf8());
        }
        catch (CryptographicException)
        {
            mismatches.Add("spec.request");
            return mismatches;
        }

        if (csr.SubjectName.RawData.AsSpan().SequenceEqual(CsrBuilder.Subject(spec).RawData) is false)
        {
            mismatches.Add("spec.commonName");
        }

        var names = csr.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault()
            ?? csr.CertificateExtensions.Where(e => e.Oid?.Value == "2.5.29.17").Select(e => new X509SubjectAlternativeNameExtension(e.RawData, e.Critical)).FirstOrDefault();
        if (!(names?.EnumerateDnsNames() ?? []).Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(spec.DnsNames.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase))
        {
            mismatches.Add("spec.dnsNames");
        }

        if (!(names?.EnumerateIPAddresses() ?? []).ToHashSet().SetEquals(spec.IpAddresses.Select(IPAddress.Parse)))
        {
            mismatches.Add("spec.ipAddresses");
        }

        return mismatches;
    }

    public static bool SameIssuer(IssuerReference? a, IssuerReference? b)
    {
        static string Kind(IssuerReference? r) => r?.Kind is { Length: > 0 } k ? k : "Issuer";
        static string Group(IssuerReference? r) => r?.Group is { Length: > 0 } g ? g : CertManagerNames.Group;
        return a?.Name == b?.Name && Kind(a) == Kind(b) && Group(a) == Group(b);
    }
}
