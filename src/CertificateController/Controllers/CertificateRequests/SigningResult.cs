using Google.Protobuf;

namespace KubeMesh.CertificateController.Controllers.CertificateRequests;

/// <summary>What one attempt to sign a request came to: issued, still pending (and why), or failed for good.</summary>
internal sealed record SigningResult(string Reason, string Message, ByteString? Certificate = null, ByteString? Ca = null, string? EventReason = null)
{
    public const string Issued = "Issued";
    public const string Pending = "Pending";
    public const string Failed = "Failed";

    public static SigningResult Done(ByteString certificate, ByteString? ca) =>
        new(Issued, "Certificate fetched from issuer successfully", certificate, ca, "CertificateIssued");

    public static SigningResult Wait(string message, string? eventReason = null) => new(Pending, message, EventReason: eventReason);

    public static SigningResult Fail(string message, string eventReason) => new(Failed, message, EventReason: eventReason);
}
