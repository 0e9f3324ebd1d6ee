using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.IngressController.Tls;

/// <summary>
/// The intermediates a TLS secret's tls.crt carries after its leaf, kept beside the leaf certificate, and the
/// handshake context built from both once per certificate: clients are sent the whole chain, as ingress-nginx sends
/// it, so they can verify a leaf signed by an intermediate (an ACME CA's) from its root alone.
/// </summary>
internal static class CertificateChains
{
    private static readonly ConditionalWeakTable<X509Certificate2, X509Certificate2Collection> Intermediates = [];
    private static readonly ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> Contexts = [];

    public static void SetIntermediates(X509Certificate2 leaf, X509Certificate2Collection intermediates) =>
        Intermediates.AddOrUpdate(leaf, intermediates);

    public static SslStreamCertificateContext ContextFor(X509Certificate2 leaf) =>
        Contexts.GetValue(leaf, static c => SslStreamCertificateContext.Create(c, Intermediates.TryGetValue(c, out var chain) ? chain : null, offline: true));
}
