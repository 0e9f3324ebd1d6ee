using System.Net;
using System.Text;
using System.Net.Security;
using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Tls;
using KubeMesh.IngressController.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Extensions;

/// <summary>
/// Kestrel's listeners: HTTP/1.1 on the HTTP port, HTTP/1.1 and HTTP/2 over TLS on the HTTPS port with the
/// certificate and its chain chosen per SNI name from the current secrets, and health on its own port. The HTTP
/// port's connections are read by <see cref="ConnectionForwarding"/> first.
/// </summary>
internal sealed class IngressListenerSetup(IOptions<IngressControllerOptions> options, CertificateStore certificates, IServiceProvider services)
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
        // The HTTP port on the controller's epoll loops (Transport/EpollTransportFactory), where there are any.
        var http = settings.EpollTransport && EpollEngine.IsSupported ? new EpollEndPoint(address, settings.HttpPort) : new IPEndPoint(address, settings.HttpPort);
        kestrel.Listen(http, l =>
        {
            l.Protocols = HttpProtocols.Http1;

            // Plain requests are forwarded off the connection before Kestrel's HTTP processing; resolved at the first
            // connection, once the application (and the routes it forwards by) is built.
            l.Use(next =>
            {
                ConnectionForwarding? forwarding = null;
                return context => (forwarding ??= services.GetRequiredService<ConnectionForwarding>()).ServeAsync(context, next);
            });
        });
        kestrel.Listen(address, settings.HttpsPort, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            // Per handshake: the SNI name's certificate with its chain (Kestrel adds ALPN for HTTP/1.1 and HTTP/2).
            l.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificates.Select(context.ClientHelloInfo.ServerName),
                }),
            });
        });
        kestrel.Listen(address, settings.HealthPort, l => l.Protocols = HttpProtocols.Http1);
    }
}
