using System.Net;

namespace KubeMesh.CertificateController.Acme;

/// <summary>The ACME server answered with an error: its problem document and the HTTP status.</summary>
public sealed class AcmeException(HttpStatusCode status, AcmeProblem problem, Uri url)
    : Exception($"{(int)status} {url}: {problem}")
{
    public HttpStatusCode Status { get; } = status;

    public AcmeProblem Problem { get; } = problem;

    public Uri Url { get; } = url;
}
