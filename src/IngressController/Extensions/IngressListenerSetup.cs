using System.Net;
using System.Text;
using KubeMesh.IngressController.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Extensions;

/// <summary>
/// Kestrel's listeners: HTTP/1.1 on the HTTP port, HTTP/1.1 and HTTP/2 over TLS on the HTTPS port with the
/// certificate chosen per SNI name from the current secrets, and health on its own port.
/// </summary>
internal sealed class IngressListenerSetup(IOptions<IngressControllerOptions> options, CertificateStore certificates)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var settings = options.Value;
        var address = IPAddress.Parse(settings.Address);
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxConcurrentConnections = null;
        kestrel.Limits.MaxConcurrentUpgradedConnections = null;

        // Header values pass through byte for byte, as through nginx: Latin-1 maps every byte to one character and back,
        // where the default (ASCII or UTF-8 in, ASCII only out) would refuse a pod's non-ASCII response header.
        kestrel.RequestHeaderEncodingSelector = static _ => Encoding.Latin1;
        kestrel.ResponseHeaderEncodingSelector = static _ => Encoding.Latin1;
        kestrel.Listen(address, settings.HttpPort, l => l.Protocols = HttpProtocols.Http1);
        kestrel.Listen(address, settings.HttpsPort, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(https => https.ServerCertificateSelector = (_, name) => certificates.Select(name));
        });
        kestrel.Listen(address, settings.HealthPort, l => l.Protocols = HttpProtocols.Http1);
    }
}
