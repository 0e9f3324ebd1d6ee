using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeMesh.IngressController.Metrics;
using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.IngressController.Upstream;
using KubeMesh.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.IngressController.Tests;

/// <summary>
/// The requests the controller forwards ahead of endpoint routing (HTTP/1.1 without a body) against the same
/// requests with a body, which only the routed pipeline and YARP's forwarder serve: the same rule, the same pod,
/// the same per-rule behaviour, metrics and spans.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EarlyForwardingTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);
    private readonly HttpClient _http = new(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(10) };

    [SkippableFact]
    public async Task Early_HostAndPathPrecedence_SameAsRoutedPipeline()
    {
        await using var any = await EchoBackend.StartAsync("ef-any");
        await using var wild = await EchoBackend.StartAsync("ef-wild");
        await using var root = await EchoBackend.StartAsync("ef-root");
        await using var api = await EchoBackend.StartAsync("ef-api");
        await using var apiv1 = await EchoBackend.StartAsync("ef-apiv1");
        await using var exact = await EchoBackend.StartAsync("ef-exact");
        await using var rewritten = await EchoBackend.StartAsync("ef-rewritten");
        foreach (var backend in new[] { any, wild, root, api, apiv1, exact, rewritten })
        {
            await cluster.CreateServiceAsync(backend.Name, backend);
        }

        await cluster.CreateServiceAsync("ef-empty", Array.Empty<EchoBackend>());
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("ef-any", "", ("/ef-any", "Prefix", "ef-any")));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("ef-wild", "*.ef.example.com", ("/", "Prefix", "ef-wild")));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("ef-main", "a.ef.example.com",
            ("/", "Prefix", "ef-root"), ("/api", "Prefix", "ef-api"), ("/api/v1", "Prefix", "ef-apiv1"), ("/api/exact", "Exact", "ef-exact"),
            ("/empty", "Prefix", "ef-empty")));
        var rewrite = ClusterFixture.Ingress("ef-rewrite", "a.ef.example.com", ("/old", "Prefix", "ef-rewritten"));
        rewrite.Metadata.Annotations.Add("nginx.ingress.kubernetes.io/rewrite-target", "/new");
        await cluster.CreateIngressAsync(rewrite);
        await Eventually.Until(() => _client.GetBodyAsync("a.ef.example.com", "/old"), b => b.StartsWith("200 ef-rewritten\n"), ClusterFixture.Timeout, "the rules are served");

        (string Host, string Path, string Expected)[] cases =
        [
            ("a.ef.example.com", "/", "200 ef-root\n"),
            ("A.EF.example.com", "/x/y", "200 ef-root\n"),
            ("a.ef.example.com:" + cluster.HttpPort, "/api", "200 ef-api\n"),
            ("a.ef.example.com", "/api/", "200 ef-api\n"),
            ("a.ef.example.com", "/apix", "200 ef-root\n"),
            ("a.ef.example.com", "/API", "200 ef-root\n"),
            ("a.ef.example.com", "/api/v1", "200 ef-apiv1\n"),
            ("a.ef.example.com", "/api/v1/users", "200 ef-apiv1\n"),
            ("a.ef.example.com", "/api/v10", "200 ef-api\n"),
            ("a.ef.example.com", "/api/exact", "200 ef-exact\n"),
            ("a.ef.example.com", "/api/exact/", "200 ef-api\n"),
            ("a.ef.example.com", "/ef-any/1", "200 ef-root\n"),
            ("a.ef.example.com", "/old/page?q=1", "200 ef-rewritten\npath=/new?q=1\n"),
            ("a.ef.example.com", "/empty", "503 "),
            ("b.ef.example.com", "/api", "200 ef-wild\n"),
            ("x.b.ef.example.com", "/ef-any", "200 ef-any\n"),
            ("x.b.ef.example.com", "/", "404 "),
            ("other.test", "/ef-any/x", "200 ef-any\n"),
            ("other.test", "/ef-anyx", "404 "),
        ];
        // The table the early path looks requests up in, over the endpoints routing serves from, places each case on its rule.
        var table = DirectRouteTable.Build(cluster.IngressServices.GetRequiredService<EndpointDataSource>());
        foreach (var (host, path, expected) in cases)
        {
            var entry = table.Find(host, path.Split('?')[0]);
            var backend = expected.StartsWith("200 ", StringComparison.Ordinal) ? expected[4..].Split('\n')[0]
                : expected.StartsWith("503 ", StringComparison.Ordinal) ? "ef-empty" : null;
            if (backend is null)
            {
                Assert.True(entry is null or { Policy.NotFound: true }, $"{host}{path}: {entry?.Route.Config.RouteId}");
            }
            else
            {
                Assert.True(entry?.Route.Cluster?.Model.Config.ClusterId.StartsWith($"default/{backend}:", StringComparison.Ordinal) == true,
                    $"{host}{path}: {entry?.Route.Config.RouteId}");
            }
        }

        foreach (var (host, path, expected) in cases)
        {
            var early = await SendAsync(HttpMethod.Get, host, path, body: null);
            var routed = await SendAsync(HttpMethod.Post, host, path, body: "x");
            Assert.True(early.StartsWith(expected, StringComparison.Ordinal), $"GET {host}{path}: {early}");
            Assert.True(routed.StartsWith(expected, StringComparison.Ordinal), $"POST {host}{path}: {routed}");
        }
    }

    [SkippableFact]
    public async Task NewRule_ServesEveryRequestAtOnce_WhileRoutingsMatcherIsStillBuilding()
    {
        await using var pod = await EchoBackend.StartAsync("ef-gen");
        await cluster.CreateServiceAsync("ef-gen", pod);
        var host = $"gen-{Guid.NewGuid().ToString("N")[..6]}.ef.example.com";
        cluster.SlowMatcherBuilds.Arm(host, TimeSpan.FromSeconds(2));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress(host.Split('.')[0], host, ("/", "Prefix", "ef-gen")));
        await Eventually.Until(() => SendAsync(HttpMethod.Get, host, "/", null), b => b.StartsWith("200 "), ClusterFixture.Timeout, "the rule is served");

        // Routing's matcher is still being built without the rule: requests with a body, and requests with a Host no
        // rule names, are placed by the same generation of rules as the plain GET that was just served.
        Assert.StartsWith("200 ef-gen\n", await SendAsync(HttpMethod.Post, host, "/p", "x"));
        Assert.StartsWith("200 ef-gen\n", await SendAsync(HttpMethod.Get, host, "/g", null));
        Assert.StartsWith("404 ", await SendAsync(HttpMethod.Post, "nobody." + host, "/p", "x"));
    }

    [SkippableFact]
    public async Task Early_RoundRobin_SharesYarpsCounter_AndKeepsOneConnectionAlive()
    {
        await using var a = await EchoBackend.StartAsync("ef-rr-a");
        await using var b = await EchoBackend.StartAsync("ef-rr-b");
        await cluster.CreateServiceAsync("ef-rr", a, b);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("ef-rr", "rr.ef.example.com", ("/", "Prefix", "ef-rr")));
        await Eventually.Until(async () => (await _client.GetBodyAsync("rr.ef.example.com", "/"), a.Requests, b.Requests),
            r => r.Item1.StartsWith("200 ") && r.Item2 > 0 && r.Item3 > 0, ClusterFixture.Timeout, "both pods are served");

        // Alternating requests the early path serves (GET) with ones YARP's load balancing serves (POST with a body):
        // one counter across both sends every GET to one pod and every POST to the other.
        var gets = new List<string>();
        var posts = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            gets.Add((await SendAsync(HttpMethod.Get, "rr.ef.example.com", "/", null)).Split('\n')[0]);
            posts.Add((await SendAsync(HttpMethod.Post, "rr.ef.example.com", "/", "x")).Split('\n')[0]);
        }

        Assert.Single(gets.Distinct());
        Assert.Single(posts.Distinct());
        Assert.NotEqual(gets[0], posts[0]);

        // 500 requests on one client connection, alternating between the pods.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, cluster.HttpPort);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var (beforeA, beforeB) = (a.Requests, b.Requests);
        const int count = 500;
        for (var i = 0; i < count; i++)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /k{i} HTTP/1.1\r\nHost: rr.ef.example.com\r\n\r\n"));
            var status = await reader.ReadLineAsync().WaitAsync(ClusterFixture.Timeout);
            Assert.Equal("HTTP/1.1 200 OK", status);
            var (length, chunked) = (-1, false);
            string? line;
            while ((line = await reader.ReadLineAsync().WaitAsync(ClusterFixture.Timeout)) is { Length: > 0 })
            {
                Assert.False(line.StartsWith("Connection: close", StringComparison.OrdinalIgnoreCase), line);
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line["Content-Length:".Length..]);
                }

                chunked |= line.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
            }

            Assert.True(length >= 0 || chunked, "a framed body");
            Assert.Contains($"path=/k{i}\n", chunked ? await ReadChunkedAsync(reader) : await ReadAsync(reader, length));
        }

        Assert.Equal(count / 2, a.Requests - beforeA);
        Assert.Equal(count / 2, b.Requests - beforeB);
    }

    [SkippableFact]
    public async Task Early_RouteMetricsAndSpans_AsRouted()
    {
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync(context.Request.Headers["traceparent"].ToString()));
        await cluster.CreateServiceAsync("ef-traced", (pod.Ip, pod.Port));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("ef-traced", "traced.ef.example.com", ("/t", "Prefix", "ef-traced")));
        await Eventually.Until(() => _client.GetBodyAsync("traced.ef.example.com", "/t"), b => b.StartsWith("200 "), ClusterFixture.Timeout, "the ingress is served");

        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == UpstreamTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var routes = new List<(string? Route, object? Status)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Meter.Name: IngressMetrics.MeterName, Name: "kubemesh.ingress.request.duration" })
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            var all = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (Equals(all.GetValueOrDefault("host"), "traced.ef.example.com"))
            {
                lock (routes)
                {
                    routes.Add((all.GetValueOrDefault("path") as string, all.GetValueOrDefault("http.response.status_code")));
                }
            }
        });
        meters.Start();

        var parent = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        var sent = new Dictionary<HttpMethod, string>();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var request = new HttpRequestMessage(method, $"http://traced.ef.example.com:{cluster.HttpPort}/t/1");
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{parent}-{parentSpan}-01");
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("x");
            }

            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            sent[method] = await response.Content.ReadAsStringAsync();
        }

        await Eventually.Until(() => Task.FromResult(Snapshot(spans).Count(s => s.TraceId == parent && s.Kind == ActivityKind.Server && s.ParentSpanId == parentSpan)),
            n => n == 2, ClusterFixture.Timeout, "both server spans end");
        var mine = Snapshot(spans).Where(s => s.TraceId == parent).ToList();
        // The controller's server spans continue the client's trace (the pod's own are under the upstream spans), and
        // are named for the rule's route on both paths.
        var servers = mine.Where(s => s.Kind == ActivityKind.Server && s.ParentSpanId == parentSpan).ToList();
        Assert.All(servers, s => Assert.StartsWith("/t", (string)s.GetTagItem("http.route")!, StringComparison.Ordinal));
        Assert.Equal(["GET", "POST"], servers.Select(s => s.DisplayName.Split(' ')[0]).Order());

        // Each request's hop to the pod is the controller's upstream span under its server span, and the pod sees it as parent.
        foreach (var server in servers)
        {
            var upstream = Assert.Single(mine, s => s.Source.Name == UpstreamTelemetry.SourceName && s.ParentSpanId == server.SpanId);
            Assert.Equal(ActivityKind.Client, upstream.Kind);
            Assert.Contains($"00-{parent}-{upstream.SpanId}-01", sent.Values);
        }

        Assert.Equal(2, mine.Count(s => s.Kind == ActivityKind.Client));

        // Both requests are counted for the rule, as the controller's request metrics show (the GET never reaches the
        // hosting, whose own request metrics the controller does not export).
        List<(string? Route, object? Status)> seen;
        lock (routes)
        {
            seen = [.. routes.Where(r => r.Route is not null && r.Route.StartsWith("/t", StringComparison.Ordinal))];
        }

        Assert.Equal(2, seen.Count);
        Assert.Single(seen.Select(r => r.Route).Distinct());
    }

    private static async Task<string> ReadAsync(StreamReader reader, int length)
    {
        var body = new char[length];
        await reader.ReadBlockAsync(body).AsTask().WaitAsync(ClusterFixture.Timeout);
        return new string(body);
    }

    private static async Task<string> ReadChunkedAsync(StreamReader reader)
    {
        var body = new StringBuilder();
        while (true)
        {
            var size = Convert.ToInt32((await reader.ReadLineAsync().WaitAsync(ClusterFixture.Timeout))!.Split(';')[0], 16);
            body.Append(await ReadAsync(reader, size));
            Assert.Equal("", await reader.ReadLineAsync().WaitAsync(ClusterFixture.Timeout));
            if (size == 0)
            {
                return body.ToString();
            }
        }
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string host, string pathAndQuery, string? body)
    {
        using var request = new HttpRequestMessage(method, $"http://{host}{pathAndQuery}") { Version = HttpVersion.Version11 };
        request.Headers.Host = host;
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        using var response = await _http.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }
}
