using System.Net.Http.Json;
using System.Text.Json;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LoadBalancingTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task LoadBalance_LeastConn_PerIngressAndGloballyFromConfigMap()
    {
        await using var fast = await EchoBackend.StartAsync("fast");
        await using var slow = await EchoBackend.StartAsync("slow", TimeSpan.FromMilliseconds(100));
        await cluster.CreateServiceAsync("lb-pods", fast, slow);
        var annotated = ClusterFixture.Ingress("least-conn-ingress", "lb.example.com", ("/", "Prefix", "lb-pods"));
        annotated.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/load-balance", "least_conn");
        await cluster.CreateIngressAsync(annotated);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("plain-ingress", "plain.example.com", ("/", "Prefix", "lb-pods")));
        var roundRobin = ClusterFixture.Ingress("rr-ingress", "rr.example.com", ("/", "Prefix", "lb-pods"));
        roundRobin.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/load-balance", "round_robin");
        await cluster.CreateIngressAsync(roundRobin);
        await Eventually.Until(() => _client.GetBodyAsync("rr.example.com", "/"), b => b.StartsWith("200 "), ClusterFixture.Timeout, "the ingresses are served");

        Assert.InRange(await FastShareAsync("lb.example.com"), 0.8, 1.0);
        Assert.InRange(await FastShareAsync("plain.example.com"), 0.4, 0.6);

        var configMaps = cluster.Client.For<ConfigMap>();
        await configMaps.CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "nginx-configuration", Namespace = "ingress-nginx" },
            Data = { ["load-balance"] = "least_conn" },
        });
        try
        {
            await Eventually.Until(() => FastShareAsync("plain.example.com"), share => share >= 0.8, ClusterFixture.Timeout, "the global least_conn applies");
            Assert.InRange(await FastShareAsync("rr.example.com"), 0.4, 0.6);
        }
        finally
        {
            await configMaps.DeleteAsync("ingress-nginx", "nginx-configuration");
        }
    }

    [SkippableFact]
    public async Task ConfigurationBackends_LeastConnAnnotation_ShowsThePolicyInNginxWords()
    {
        await using var pod = await EchoBackend.StartAsync("dbg");
        await cluster.CreateServiceAsync("dbg-pods", pod);
        var ingress = ClusterFixture.Ingress("dbg-ingress", "dbg.example.com", ("/", "Prefix", "dbg-pods"));
        ingress.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/load-balance", "least_conn");
        await cluster.CreateIngressAsync(ingress);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var backend = await Eventually.Until(
            async () => (await http.GetFromJsonAsync<JsonElement[]>($"http://127.0.0.1:{cluster.HealthPort}/configuration/backends"))!
                .FirstOrDefault(b => b.GetProperty("name").GetString()!.StartsWith("default/dbg-pods:80/", StringComparison.Ordinal)),
            b => b.ValueKind == JsonValueKind.Object,
            ClusterFixture.Timeout,
            "the backend is served");

        Assert.Equal("least_conn", backend.GetProperty("loadBalance").GetString());
        Assert.Equal("LeastRequests", backend.GetProperty("yarpPolicy").GetString());
        Assert.Equal($"http://{pod.Ip}:{pod.Port}", Assert.Single(backend.GetProperty("endpoints").EnumerateArray()).GetString());
        Assert.Equal("default/dbg-ingress", Assert.Single(backend.GetProperty("ingresses").EnumerateArray()).GetString());
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The share of 120 requests, 8 at a time, that the fast pod answered.</summary>
    private async Task<double> FastShareAsync(string host)
    {
        var fast = 0;
        var remaining = 120;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var body = await _client.GetBodyAsync(host, "/");
                Assert.StartsWith("200 ", body);
                if (body.StartsWith("200 fast\n", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref fast);
                }
            }
        }));
        return fast / 120.0;
    }
}
