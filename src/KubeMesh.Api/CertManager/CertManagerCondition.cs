using Google.Protobuf.WellKnownTypes;

namespace KubeMesh.Api.CertManager.V1;

/// <summary>What cert-manager's condition types share: Certificate, CertificateRequest and Issuer conditions.</summary>
public interface ICertManagerCondition
{
    string Type { get; set; }

    string Status { get; set; }

    Timestamp LastTransitionTime { get; set; }

    string Reason { get; set; }

    string Message { get; set; }
}

public sealed partial class CertificateCondition : ICertManagerCondition;

public sealed partial class CertificateRequestCondition : ICertManagerCondition;

public sealed partial class IssuerCondition : ICertManagerCondition;
