using System.Net;
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
        kestrel.Listen(address, settings.HttpPort, l => l.Protocols = HttpProtocols.Http1);
        kestrel.Listen(address, settings.HttpsPort, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(https => https.ServerCertificateSelector = (_, name) => certificates.Select(name));
        });
        kestrel.Listen(address, settings.HealthPort, l => l.Protocols = HttpProtocols.Http1);
    }
}
