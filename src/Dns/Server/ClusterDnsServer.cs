using System.Net;
using ARSoft.Tools.Net.Dns;
using KubeMesh.Dns.Resolution;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Server;

/// <summary>Serves DNS over UDP and TCP on Dns:Address:Dns:Port: the cluster's names from the zone, the rest forwarded.</summary>
/// <remarks>UDP, where nearly all queries arrive, takes <see cref="UdpDnsListener"/>'s fast path; TCP is ARSoft's server.</remarks>
public sealed partial class ClusterDnsServer(
    ClusterDnsResolver resolver, UpstreamForwarder forwarder, UdpDnsListener udp, IOptions<DnsOptions> options, ILogger<ClusterDnsServer> logger) : IHostedService, IDisposable
{
    private DnsServer? _server;

    public IPEndPoint Endpoint { get; } = new(IPAddress.Parse(options.Value.Address), options.Value.Port);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        udp.Start(Endpoint);
        _server = new DnsServer(new TcpServerTransport(Endpoint));
        _server.QueryReceived += OnQueryReceivedAsync;
        _server.ExceptionThrown += (_, e) =>
        {
            LogQueryFailed(logger, e.Exception);
            return Task.CompletedTask;
        };
        _server.Start();
        LogListening(logger, Endpoint.ToString(), options.Value.ClusterDomain, forwarder.Upstream.ToString());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _server?.Stop();
        await udp.DisposeAsync();
    }

    public void Dispose() => _server?.Stop();

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count == 0)
        {
            return;
        }

        e.Response = resolver.TryAnswer(query) ?? await forwarder.ForwardAsync(query, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster DNS listening on {Endpoint} (UDP and TCP) for {Domain}; other names go to {Upstream}")]
    private static partial void LogListening(ILogger logger, string endpoint, string domain, string upstream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A DNS query failed")]
    private static partial void LogQueryFailed(ILogger logger, Exception exception);
}
