using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// Manifests 26-30 through the AppHost's ingress controller, driven with kmctl and checked with real HTTP clients
/// on the cluster's ingress ports: routing by host and path, HTTPS with the example-tls certificate by SNI,
/// least_conn globally and per ingress, and basic auth.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class IngressEndToEndTests(ClusterFixture cluster) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _files = Directory.CreateTempSubdirectory("kubemesh-e2e-ingress").FullName;
    private X509Certificate2? _servedCertificate;

    [SkippableFact]
    public async Task ExampleIngress_Manifests26And27_RoutesByHostAndPathOverHttpsWithTheSecretsCertificate()
    {
        await Tool.RunAsync("openssl", "req", "-x509", "-nodes", "-days", "365", "-newkey", "rsa:2048",
            "-keyout", Path.Combine(_files, "tls.key"), "-out", Path.Combine(_files, "tls.crt"), "-subj", "/CN=example.com");
        await KmctlAsync("create", "secret", "tls", "example-tls", "--cert=" + Path.Combine(_files, "tls.crt"), "--key=" + Path.Combine(_files, "tls.key"));
        await ApplyBackendsAsync();
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/27-ingress.yaml"));

        using var http = CreateClient(https: false);
        using var https = CreateClient(https: true);
        Assert.Equal("200 example-service-sub\n", await EventuallyAsync(() => GetAsync(http, "http", "example-sub.com", "/"), "200 example-service-sub\n"));
        Assert.Equal("200 example-service\n", await EventuallyAsync(() => GetAsync(https, "https", "example.com", "/"), "200 example-service\n"));
        Assert.Equal("CN=example.com", _servedCertificate?.Subject);
        Assert.Equal("200 api-service\n", await EventuallyAsync(() => GetAsync(https, "https", "example.com", "/api"), "200 api-service\n"));
        Assert.Equal("200 api-service\n", await GetAsync(https, "https", "example.com", "/api/v1/items"));

        // rewrite-target: / -- the pod saw "/", never the path asked for (http-echo logs each request it serves).
        static int Served(string logs) => logs.Split('\n').Count(l => l.StartsWith("example.com", StringComparison.Ordinal) && l.Contains("\"GET / HTTP/1.1\" 200", StringComparison.Ordinal));
        var before = Served(await ApiServiceLogsAsync());
        var marker = "rewrite-" + Guid.NewGuid().ToString("N");
        Assert.Equal("200 api-service\n", await GetAsync(https, "https", "example.com", "/api/" + marker));
        var logs = await EventuallyAsync(ApiServiceLogsAsync, l => Served(l) > before);
        Assert.DoesNotContain(marker, logs);
        Assert.DoesNotContain("\"GET /api", logs);

        // TLS is configured for example.com, so plain HTTP is redirected as ingress-nginx's ssl-redirect does.
        using var plain = await http.GetAsync($"http://example.com:{cluster.IngressHttpPort}/api");
        Assert.Equal(HttpStatusCode.PermanentRedirect, plain.StatusCode);
        Assert.Equal($"https://example.com:{cluster.IngressHttpsPort}/api", plain.Headers.Location?.ToString());

        var listed = await EventuallyAsync(
            async () => (await KmctlAsync("get", "ingress", "example-ingress")).Split('\n')[1],
            line => line.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.Contains("example.com", listed);
    }

    [SkippableFact]
    public async Task LeastConn_Manifests28And29_AppliedPerIngressAndGloballyFromTheConfigMap()
    {
        await ApplyBackendsAsync();
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/29-ingress-least-conn.yaml"));
        using var http = CreateClient(https: false);
        Assert.Equal("200 example-service\n", await EventuallyAsync(() => GetAsync(http, "http", "lb.example.com", "/"), "200 example-service\n"));
        Assert.Equal("least_conn", await LoadBalanceOfAsync("default/least-conn-ingress"));

        // An ingress without the annotation balances round robin until the controller's ConfigMap says otherwise.
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/30-ingress-basic-auth.yaml"));
        Assert.Equal("round_robin", await EventuallyAsync(() => LoadBalanceOfAsync("default/auth-ingress"), "round_robin"));
        try
        {
            await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/28-ingress-controller-configmap.yaml"));
            Assert.Equal("least_conn", await EventuallyAsync(() => LoadBalanceOfAsync("default/auth-ingress"), "least_conn"));
            Assert.Equal("least_conn", await LoadBalanceOfAsync("default/least-conn-ingress"));
        }
        finally
        {
            await KmctlAsync("delete", "configmap", "nginx-configuration", "-n", "ingress-nginx");
        }

        Assert.Equal("round_robin", await EventuallyAsync(() => LoadBalanceOfAsync("default/auth-ingress"), "round_robin"));
    }

    [SkippableFact]
    public async Task BasicAuth_Manifest30_ChallengesWithTheRealmAndAdmitsMyUser()
    {
        var auth = Path.Combine(_files, "auth");
        await Tool.RunAsync("htpasswd", "-cb", auth, "myuser", "foo");
        await KmctlAsync("create", "secret", "generic", "basic-auth", "--from-file=" + auth);
        await ApplyBackendsAsync();
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/30-ingress-basic-auth.yaml"));

        using var http = CreateClient(https: false);
        var url = $"http://auth.example.com:{cluster.IngressHttpPort}/";
        await EventuallyAsync(async () => (int)(await http.GetAsync(url)).StatusCode, 401);
        using var challenged = await http.GetAsync(url);
        Assert.Equal("Basic realm=\"Authentication Required - myapp\"", challenged.Headers.WwwAuthenticate.ToString());

        Assert.Equal("200 example-service\n", await EventuallyAsync(() => GetAsync(http, "http", "auth.example.com", "/", "myuser:foo"), "200 example-service\n"));
        Assert.StartsWith("401 ", await GetAsync(http, "http", "auth.example.com", "/", "myuser:bar"));
    }

    public void Dispose()
    {
        _servedCertificate?.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    /// <summary>Manifest 26 (idempotent, so every test may start with it) and its three services' ready endpoints.</summary>
    private async Task ApplyBackendsAsync()
    {
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/26-ingress-backends.yaml"));
        foreach (var (service, replicas) in new[] { ("example-service", 2), ("api-service", 2), ("example-service-sub", 1) })
        {
            await EventuallyAsync(
                async () => (await cluster.Client.For<KubeMesh.Api.Core.V1.Endpoints>().GetAsync("default", service)).Subsets.Sum(s => s.Addresses.Count),
                replicas);
        }
    }

    /// <summary>The logs of every api-service pod, through kmctl.</summary>
    private async Task<string> ApiServiceLogsAsync()
    {
        var pods = await cluster.Client.For<KubeMesh.Api.Core.V1.Pod>().ListAsync(new ListRequest { Namespace = "default", LabelSelector = "app=api-service" });
        var logs = new StringBuilder();
        foreach (var pod in pods.Items)
        {
            logs.Append(await KmctlAsync("logs", pod.Metadata.Name));
        }

        return logs.ToString();
    }

    /// <summary>The load-balance setting the controller serves for an ingress's backend (ingress-nginx's /configuration/backends).</summary>
    private async Task<string> LoadBalanceOfAsync(string ingress)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var backends = await http.GetFromJsonAsync<JsonElement[]>($"http://127.0.0.1:{cluster.IngressHealthPort}/configuration/backends");
        var ingresses = backends!.Where(b => b.GetProperty("ingresses").EnumerateArray().Any(i => i.GetString() == ingress)).ToList();
        return ingresses.Count == 1 ? ingresses[0].GetProperty("loadBalance").GetString()! : $"{ingresses.Count} backends for {ingress}";
    }

    private async Task<string> KmctlAsync(params string[] args)
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, args);
        Assert.True(code == 0, $"kmctl {string.Join(' ', args)}: {error}");
        return output;
    }

    /// <summary>"status body" of a GET to the ingress, with the URL's host as Host and SNI.</summary>
    private async Task<string> GetAsync(HttpClient client, string scheme, string host, string path, string? credentials = null)
    {
        var port = scheme == "https" ? cluster.IngressHttpsPort : cluster.IngressHttpPort;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{host}:{port}{path}");
        if (credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        using var response = await client.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>A client that reaches the ingress's ports on 127.0.0.1 whatever host the URL names, so Host and SNI are real.</summary>
    private HttpClient CreateClient(bool https)
    {
        var port = https ? cluster.IngressHttpsPort : cluster.IngressHttpPort;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Self-signed by the test: what matters is which certificate the SNI name selected.
            _servedCertificate = certificate is null ? null : new X509Certificate2(certificate);
            return true;
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, T expected) =>
        EventuallyAsync(attempt, value => EqualityComparer<T>.Default.Equals(value, expected));

    private static Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, Func<T, bool> done) =>
        Eventually.Until(attempt, done, Timeout, "the ingress controller follows the change");
}
