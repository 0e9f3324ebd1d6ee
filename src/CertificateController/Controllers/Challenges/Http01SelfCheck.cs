using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace KubeMesh.CertificateController.Controllers.Challenges;

/// <summary>
/// cert-manager's HTTP-01 self check: before telling the ACME server to validate, fetch
/// http://NAME/.well-known/acme-challenge/TOKEN the way the server will, the name resolved through the cluster DNS
/// (which publishes Ingress hosts) and the request sent to the ingress's HTTP port, and compare the body with the
/// key authorization. It never asks the machine's own resolver.
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

        _dns = new LookupClient(new LookupClientOptions(nameserver) { UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1, ContinueOnDnsError = false });
        _port = context.Options.Http01SelfCheckPort;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = Timeout, PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = Timeout,
            MaxResponseContentBufferSize = 64 * 1024,
        };
    }

    /// <summary>Null when the key authorization is served, else why not, in cert-manager's words.</summary>
    public async Task<string?> CheckAsync(string dnsName, string token, string key, CancellationToken cancellationToken)
    {
        var url = $"http://{dnsName}{Http01Solver.ChallengePath}{token}";
        IPAddress? address;
        try
        {
            var answer = await _dns.QueryAsync(dnsName, QueryType.A, cancellationToken: cancellationToken).ConfigureAwait(false);
            address = answer.Answers.ARecords().Select(a => a.Address).FirstOrDefault();
        }
        catch (DnsResponseException e)
        {
            return $"failed to perform self check GET request '{url}': dial tcp: lookup {dnsName}: {e.Message}";
        }

        if (address is null)
        {
            return $"failed to perform self check GET request '{url}': dial tcp: lookup {dnsName}: no such host";
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}:{_port}{Http01Solver.ChallengePath}{token}");
            request.Headers.Host = dnsName;
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"wrong status code '{(int)response.StatusCode}', expected '200'";
            }

            return body.Trim() == key ? null : $"did not get expected response when querying endpoint, expected \"{key}\" but got: {Truncate(body)}";
        }
        catch (Exception e) when (e is HttpRequestException or SocketException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"failed to perform self check GET request '{url}': {e.Message}";
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Truncate(string body) => body.Length > 64 ? body[..64] + "..." : body;
}
