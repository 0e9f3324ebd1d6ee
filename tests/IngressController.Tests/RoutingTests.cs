using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class RoutingTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task Route_Manifest27_ReachesEachServiceWithRewrite()
    {
        await using var example = await EchoBackend.StartAsync("example-service");
        await using var api = await EchoBackend.StartAsync("api-service");
        await using var sub = await EchoBackend.StartAsync("example-service-sub");
        await cluster.CreateServiceAsync("r27-example", example);
        await cluster.CreateServiceAsync("r27-api", api);
        await cluster.CreateServiceAsync("r27-sub", sub);
        var ingress = ClusterFixture.Ingress("r27-ingress", "r27.example.com", ("/", "Prefix", "r27-example"), ("/api", "Prefix", "r27-api"));
        ingress.Metadata.Annotations.Add("kubernetes.io/ingress.class", "nginx");
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/rewrite-target", "/");
        await cluster.CreateIngressAsync(ingress);
        var subIngress = ClusterFixture.Ingress("r27-ingress-sub", "r27-sub.example.com", ("/", "Prefix", "r27-sub"));
        subIngress.Metadata.Annotations.Add("kubernetes.io/ingress.class", "nginx");
        await cluster.CreateIngressAsync(subIngress);

        await WaitForAsync("r27-sub.example.com", "/", "200 example-service-sub\n");
        // rewrite-target / as ingress-nginx renders it: every path of the ingress reaches its backend as "/" (query
        // kept), and the paths are case-insensitive regular expressions, so "/apix" and "/API" take the /api rule.
        Assert.StartsWith("200 example-service\npath=/\n", await _client.GetBodyAsync("r27.example.com", "/"));
        Assert.StartsWith("200 example-service\npath=/\n", await _client.GetBodyAsync("r27.example.com", "/docs/page"));
        Assert.StartsWith("200 api-service\npath=/\n", await _client.GetBodyAsync("r27.example.com", "/api"));
        Assert.StartsWith("200 api-service\npath=/?q=1\n", await _client.GetBodyAsync("r27.example.com", "/api/x?q=1"));
        Assert.StartsWith("200 api-service\npath=/\n", await _client.GetBodyAsync("R27.Example.com", "/apix"));
        Assert.StartsWith("200 api-service\npath=/\n", await _client.GetBodyAsync("r27.example.com", "/API/v1"));
    }

    [SkippableFact]
    public async Task Route_ForwardedHeaders_AreSetAsNginx()
    {
        await using var backend = await EchoBackend.StartAsync("fwd");
        await cluster.CreateServiceAsync("fwd", backend);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("fwd", "fwd.example.com", ("/", "Prefix", "fwd")));

        var body = await WaitForAsync("fwd.example.com", "/", "200 fwd\n");

        Assert.Contains($"host=fwd.example.com:{cluster.HttpPort}\n", body);
        Assert.Contains("x-forwarded-for=127.0.0.1\n", body);
        Assert.Contains("x-real-ip=127.0.0.1\n", body);
        Assert.Contains("x-forwarded-proto=http\n", body);
        Assert.Contains($"x-forwarded-port={cluster.HttpPort}\n", body);
    }

    [SkippableFact]
    public async Task Route_LongestMatchAcrossIngresses_WinsAndExactBeatsPrefix()
    {
        await using var root = await EchoBackend.StartAsync("root");
        await using var prefix = await EchoBackend.StartAsync("prefix");
        await using var exact = await EchoBackend.StartAsync("exact");
        await cluster.CreateServiceAsync("lm-root", root);
        await cluster.CreateServiceAsync("lm-prefix", prefix);
        await cluster.CreateServiceAsync("lm-exact", exact);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("lm-a", "lm.example.com", ("/", "Prefix", "lm-root"), ("/a/b", "Exact", "lm-exact")));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("lm-b", "lm.example.com", ("/a/b", "Prefix", "lm-prefix")));

        await WaitForAsync("lm.example.com", "/a/b/c", "200 prefix\n");
        Assert.StartsWith("200 exact\n", await _client.GetBodyAsync("lm.example.com", "/a/b"));
        Assert.StartsWith("200 prefix\n", await _client.GetBodyAsync("lm.example.com", "/a/b/"));
        Assert.StartsWith("200 root\n", await _client.GetBodyAsync("lm.example.com", "/a/bc"));
        Assert.StartsWith("200 root\n", await _client.GetBodyAsync("lm.example.com", "/A/B/c"));
    }

    [SkippableFact]
    public async Task Route_WildcardHost_MatchesExactlyOneLabel()
    {
        await using var wild = await EchoBackend.StartAsync("wild");
        await cluster.CreateServiceAsync("wild", wild);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("wild", "*.wild.test", ("/", "Prefix", "wild")));

        await WaitForAsync("foo.wild.test", "/", "200 wild\n");
        Assert.StartsWith("404 ", await _client.GetBodyAsync("a.b.wild.test", "/"));
        Assert.StartsWith("404 ", await _client.GetBodyAsync("wild.test", "/"));
    }

    [SkippableFact]
    public async Task Route_UseRegex_RewritesWithCaptureGroups()
    {
        await using var backend = await EchoBackend.StartAsync("regex");
        await cluster.CreateServiceAsync("regex", backend);
        var ingress = ClusterFixture.Ingress("regex", "regex.example.com", ("/something(/|$)(.*)", "ImplementationSpecific", "regex"));
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/use-regex", "true");
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/rewrite-target", "/$2");
        await cluster.CreateIngressAsync(ingress);

        await WaitForAsync("regex.example.com", "/something/new?x=1", "200 regex\npath=/new?x=1\n");
        Assert.StartsWith("200 regex\npath=/\n", await _client.GetBodyAsync("regex.example.com", "/something"));
        Assert.StartsWith("404 ", await _client.GetBodyAsync("regex.example.com", "/other"));
    }

    [SkippableFact]
    public async Task Route_Unmatched_IsNginx404()
    {
        using var response = await _client.GetAsync("nobody.example.com", "/");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Contains("<center><h1>404 Not Found</h1></center>", await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Route_ServiceWithoutEndpoints_Is503UntilOneIsReady()
    {
        await cluster.CreateServiceAsync("empty");
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("empty", "empty.example.com", ("/", "Prefix", "empty")));

        var body = await WaitForAsync("empty.example.com", "/", "503 ");
        Assert.Contains("503 Service Temporarily Unavailable", body);

        await using var backend = await EchoBackend.StartAsync("now-ready");
        await cluster.SetEndpointsAsync("empty", backend);
        await WaitForAsync("empty.example.com", "/", "200 now-ready\n");
    }

    [SkippableFact]
    public async Task Route_DefaultBackend_ServesPathsNoRuleMatches()
    {
        await using var fallback = await EchoBackend.StartAsync("fallback");
        await using var app = await EchoBackend.StartAsync("app");
        await cluster.CreateServiceAsync("db-fallback", fallback);
        await cluster.CreateServiceAsync("db-app", app);
        var ingress = ClusterFixture.Ingress("db", "db.example.com", ("/app", "Prefix", "db-app"));
        ingress.Spec.DefaultBackend = new IngressBackend { Service = new IngressServiceBackend { Name = "db-fallback", Port = new ServiceBackendPort { Number = 80 } } };
        await cluster.CreateIngressAsync(ingress);

        await WaitForAsync("db.example.com", "/app/1", "200 app\n");
        Assert.StartsWith("200 fallback\npath=/other\n", await _client.GetBodyAsync("db.example.com", "/other"));
    }

    [SkippableFact]
    public async Task Route_OtherIngressClass_IsIgnored()
    {
        await using var backend = await EchoBackend.StartAsync("other-class");
        await cluster.CreateServiceAsync("other-class", backend);
        var ingress = ClusterFixture.Ingress("other-class", "other-class.example.com", ("/", "Prefix", "other-class"));
        ingress.Spec.IngressClassName = "traefik";
        await cluster.CreateIngressAsync(ingress);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("marker", "marker.example.com", ("/", "Prefix", "other-class")));

        // The marker, created later, proves the controller has seen both.
        await WaitForAsync("marker.example.com", "/", "200 other-class\n");
        Assert.StartsWith("404 ", await _client.GetBodyAsync("other-class.example.com", "/"));
    }

    public void Dispose() => _client.Dispose();

    private Task<string> WaitForAsync(string host, string path, string expectedStart) =>
        Eventually.Until(() => _client.GetBodyAsync(host, path), body => body.StartsWith(expectedStart, StringComparison.Ordinal), ClusterFixture.Timeout, $"{host}{path} answers {expectedStart.Trim()}");
}
