using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.Security;

/// <summary>
/// The client side of the cluster's TLS, for every caller (components, kmctl, the api-server dialling kubelets): the
/// server's certificate must chain to the given CA and name the host dialled (no system roots, no exceptions), and the
/// client certificate, when there is one, is offered in the handshake.
/// </summary>
public static class TlsClientAuthentication
{
    public static void Apply(SslClientAuthenticationOptions options, X509Certificate2Collection? roots, X509Certificate2? clientCertificate)
    {
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        if (roots is not null)
        {
            var trust = new CertificateTrust(roots);
            options.RemoteCertificateValidationCallback = (_, presented, chain, errors) =>
                presented is not null
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && trust.Verify(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()), CertificateUsage.Server, chain?.ChainPolicy.ExtraStore);
        }
    }
}
