using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace KubeMesh.CertificateController.Controllers.Challenges;

/// <summary>
/// cert-manager's HTTP-01 self check: before the ACME server is asked to validate, fetch
/// http://NAME/.well-known/acme-challenge/TOKEN as the server will, and compare the body with the key
/// authorization. Names are resolved through the cluster DNS (which publishes Ingress hosts), never the machine's
/// resolver; the first request goes to the ingress's HTTP port; redirects are followed, to HTTPS too without
/// verifying the certificate (the one being issued may not exist yet), as cert-manager and ACME servers do.
/// </summary>
internal sealed class Http01SelfCheck : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly LookupClient _dns;
    private readonly HttpClient _http;
    private readonly int _port;

    public Http01SelfCheck(ControllerContext context)
    {
        var nameserver = IPEndPoint.Parse(context.Options.Nameserver);
        if (nameserver.Port == 0)
        {
            nameserver.Port = 53;
        }

        _dns = new LookupClient(new LookupClientOptions(nameserver) { UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1, ThrowDnsErrors = true });
        _port = context.Options.Http01SelfCheckPort;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            UseProxy = false,
            ConnectTimeout = Timeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = ConnectAsync,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout, MaxResponseContentBufferSize = 64 * 1024 };
    }

    /// <summary>Null when the key authorization is served, else why not, in cert-manager's words.</summary>
    public async Task<string?> CheckAsync(string dnsName, string token, string key, CancellationToken cancellationToken)
    {
        var url = $"http://{dnsName}:{_port}{Http01Solver.ChallengePath}{token}";
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"wrong status code '{(int)response.StatusCode}', expected '200'";
            }

            return body.Trim() == key ? null : $"did not get expected response when querying endpoint, expected \"{key}\" but got: {Truncate(body)}";
        }
        catch (Exception e) when (e is HttpRequestException or SocketException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"failed to perform self check GET request '{url}': {e.InnerException?.Message ?? e.Message}";
        }
    }

    public void Dispose() => _http.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        if (!IPAddress.TryParse(host, out var address))
        {
            try
            {
                var answer = await _dns.QueryAsync(host, QueryType.A, cancellationToken: cancellationToken).ConfigureAwait(false);
                address = answer.Answers.ARecords().Select(a => a.Address).FirstOrDefault()
                    ?? throw new SocketException((int)SocketError.HostNotFound, $"dial tcp: lookup {host}: no such host");
            }
            catch (DnsResponseException e)
            {
                throw new SocketException((int)SocketError.HostNotFound, $"dial tcp: lookup {host}: {e.Message}");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Truncate(string body) => body.Length > 64 ? body[..64] + "..." : body;
}
