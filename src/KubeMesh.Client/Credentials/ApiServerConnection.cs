using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Client.Credentials;

/// <summary>
/// How to reach and authenticate to the api-server (client-go's rest.Config): one address or several replicas'
/// separated by commas, the CA that must have signed their serving certificate, and the caller's credential, a client
/// certificate or a bearer token.
/// </summary>
public sealed record ApiServerConnection(string Address)
{
    /// <summary>The roots the server's certificate must chain to; null trusts nothing but cleartext (http) addresses.</summary>
    public X509Certificate2Collection? CertificateAuthority { get; init; }

    /// <summary>The client certificate with its private key, presented in the TLS handshake.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>A bearer token sent as "authorization: Bearer ..." on every call (only over TLS).</summary>
    public string? BearerToken { get; init; }
}
