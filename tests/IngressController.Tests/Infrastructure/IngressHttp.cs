using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>HTTP clients that reach the ingress's ports whatever host name the URL carries, so SNI and Host are real.</summary>
internal sealed class IngressHttp : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient _https;
    private readonly int _httpPort;
    private readonly int _httpsPort;

    public IngressHttp(ClusterFixture cluster)
    {
        _httpPort = cluster.HttpPort;
        _httpsPort = cluster.HttpsPort;
        _http = new HttpClient(Handler(_httpPort)) { Timeout = TimeSpan.FromSeconds(10) };
        var tls = Handler(_httpsPort);
        tls.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            LastCertificate = certificate is null ? null : new X509Certificate2(certificate);
            return true;
        };
        _https = new HttpClient(tls) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public X509Certificate2? LastCertificate { get; private set; }

    public Task<HttpResponseMessage> GetAsync(string host, string pathAndQuery, string? authorization = null) =>
        SendAsync(_http, new Uri($"http://{host}:{_httpPort}{pathAndQuery}"), authorization, HttpVersion.Version11);

    public Task<HttpResponseMessage> GetHttpsAsync(string host, string pathAndQuery, Version? version = null) =>
        SendAsync(_https, new Uri($"https://{host}:{_httpsPort}{pathAndQuery}"), null, version ?? HttpVersion.Version11);

    public async Task<string> GetBodyAsync(string host, string pathAndQuery)
    {
        using var response = await GetAsync(host, pathAndQuery);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    public void Dispose()
    {
        _http.Dispose();
        _https.Dispose();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Uri uri, string? authorization, Version version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    /// <summary>A handler that connects to the ingress's <paramref name="port"/> whatever the URL's host.</summary>
    public static SocketsHttpHandler Handler(int port) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(1),
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
