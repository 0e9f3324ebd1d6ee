using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMesh.IngressController.Telemetry;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.IngressController.Tests.Upstream;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KubeMesh.IngressController.Tests.Telemetry;

/// <summary>Which spans the controller records, through the OpenTelemetry SDK as the service defaults set it up.</summary>
/// <remarks>
/// In the cluster tests' collection, so never beside ReconfigurationTracingTests: its SpanRecorder listens to every
/// KubeMesh source and records all it sees, and a span recorded by any listener in the process is exported by this
/// test's provider too, whatever its own sampler decided.
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class TracingTests : IDisposable
{
    private static readonly ActivitySource Requests = new("Tests.IncomingRequests");
    private readonly ConcurrentQueue<Activity> _exported = new();
    private TracerProvider? _tracing;

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 200)]
    public async Task ProxiedRequests_RecordedAtTheRatio_WithTheirUpstreamSpan(double ratio, int expected)
    {
        Trace(ratio);
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync(context.Request.Headers["traceparent"].ToString()));
        using var client = new UpstreamClient();
        var traceparents = new List<string>();
        var traces = new HashSet<ActivityTraceId>();

        for (var i = 0; i < 100; i++)
        {
            using var server = Requests.StartActivity("GET /", ActivityKind.Server);
            traces.Add(server!.TraceId);
            var (_, traceparent) = await client.GetAsync(pod.Address);
            traceparents.Add(traceparent);
        }

        _tracing!.ForceFlush();

        // Other tests proxy at the same time; only this test's traces count.
        var exported = Exported().Where(a => traces.Contains(a.TraceId)).ToList();
        Assert.Equal(expected, exported.Count);
        Assert.Equal(expected / 2, exported.Count(a => a.Kind == ActivityKind.Client && a.Source.Name == UpstreamTelemetry.SourceName));

        // Recorded or not, the pod sees the request's trace: its own span's id when recorded.
        Assert.All(traceparents, t => Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", t));
        var client0 = exported.FirstOrDefault(a => a.Kind == ActivityKind.Client);
        if (client0 is not null)
        {
            Assert.Contains(client0.Id!, traceparents);
            Assert.Equal("GET", client0.GetTagItem("http.request.method"));
            Assert.Equal(200, client0.GetTagItem("http.response.status_code"));
        }
    }

    [Fact]
    public void ControllersOwnCalls_AlwaysRecorded()
    {
        Trace(0.0);

        var watch = Requests.StartActivity("Watch", ActivityKind.Client);
        watch?.Dispose();

        _tracing!.ForceFlush();
        Assert.Contains(watch, Exported());
    }

    [Fact]
    public void Request_WithASampledTraceparent_IsRecorded()
    {
        Trace(0.0);
        var parent = ActivityContext.Parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);

        var request = Requests.StartActivity("GET /", ActivityKind.Server, parent);
        request?.Dispose();

        _tracing!.ForceFlush();
        Assert.Contains(request, Exported());
    }

    private List<Activity> Exported() => [.. _exported];

    private void Trace(double ratio) => _tracing = Sdk.CreateTracerProviderBuilder()
        .AddSource(Requests.Name, UpstreamTelemetry.SourceName)
        .SetSampler(ProxiedRequestSampler.Create(ratio))
        .AddProcessor(new Recorder(_exported))
        .Build();

    public void Dispose() => _tracing?.Dispose();

    /// <summary>Keeps every span the SDK ends as recorded, from whichever thread ends it.</summary>
    private sealed class Recorder(ConcurrentQueue<Activity> recorded) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => recorded.Enqueue(data);
    }
}
