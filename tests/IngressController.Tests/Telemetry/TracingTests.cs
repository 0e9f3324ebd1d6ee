using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMesh.IngressController.Telemetry;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.IngressController.Tests.Upstream;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KubeMesh.IngressController.Tests.Telemetry;

/// <summary>
/// Which requests the controller traces (<see cref="ProxiedRequestTracing"/>), through the OpenTelemetry SDK with
/// the service defaults' sampler, each request proxied to a real pod over the controller's upstream pool.
/// </summary>
/// <remarks>
/// In the cluster tests' collection, so never beside ReconfigurationTracingTests: its SpanRecorder listens to every
/// KubeMesh source and records all it sees, and a span recorded by any listener in the process is exported by this
/// test's provider too, whatever its own sampler decided.
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _exported = new();
    private readonly ManualClock _clock = new();
    private readonly UpstreamClient _upstream = new();
    private TracerProvider? _tracing;
    private KestrelBackend? _pod;

    public async Task InitializeAsync()
    {
        // The pod answers with the trace context it was sent, empty when none.
        _pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync(context.Request.Headers["traceparent"].ToString()));
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(UpstreamTelemetry.SourceName)
            .SetSampler(new BackgroundWorkSampler())
            .AddProcessor(new Recorder(_exported))
            .Build();
    }

    [Fact]
    public async Task RequestsWithoutTraceparent_TracedAtTheRatio_WithTheirUpstreamSpan()
    {
        var never = Tracing(ratio: 0, limit: 0);
        var always = Tracing(ratio: 1, limit: 0);
        var untraced = new List<(Activity? Current, string Sent)>();
        for (var i = 0; i < 20; i++)
        {
            untraced.Add(await ProxyAsync(never));
        }

        // Untraced, a request makes no Activity at all, and the pod gets no trace context the client did not send.
        Assert.All(untraced, r => Assert.Equal((null, ""), (r.Current, r.Sent)));

        var traced = new List<(Activity? Current, string Sent)>();
        for (var i = 0; i < 20; i++)
        {
            traced.Add(await ProxyAsync(always));
        }

        var servers = ServerSpans(traced);
        Assert.Equal(20, servers.Count);
        foreach (var (server, sent) in servers.Zip(traced.Select(t => t.Sent)))
        {
            Assert.Equal(default, server.ParentSpanId);
            Assert.Equal("GET", server.GetTagItem("http.request.method"));
            Assert.Equal(200, server.GetTagItem("http.response.status_code"));

            // The hop to the pod is a client span under the server span, and the pod sees it as its parent.
            var upstream = Assert.Single(Exported(), a => a.ParentSpanId == server.SpanId);
            Assert.Equal(ActivityKind.Client, upstream.Kind);
            Assert.Equal($"00-{server.TraceId}-{upstream.SpanId}-01", sent);
        }
    }

    [Fact]
    public async Task RequestsWithoutTraceparent_AtMostTheRateLimitASecond()
    {
        var tracing = Tracing(ratio: 1, limit: 5);
        var first = new List<(Activity?, string)>();
        for (var i = 0; i < 12; i++)
        {
            first.Add(await ProxyAsync(tracing));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = new List<(Activity?, string)>();
        for (var i = 0; i < 12; i++)
        {
            second.Add(await ProxyAsync(tracing));
        }

        Assert.Equal(5, first.Count(r => r.Item1 is not null));
        Assert.Equal(5, second.Count(r => r.Item1 is not null));
        Assert.Equal(10, ServerSpans([.. first, .. second]).Count);
    }

    [Fact]
    public async Task SampledTraceparent_TracedUnderIt_WhateverTheRatioAndLimit()
    {
        var tracing = Tracing(ratio: 0, limit: 1);
        var parent = ActivityContext.Parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
        var results = new List<(Activity?, string)>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await ProxyAsync(tracing, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        }

        var servers = ServerSpans(results);
        Assert.Equal(3, servers.Count);
        Assert.All(servers, s => Assert.Equal((parent.TraceId, parent.SpanId), (s.TraceId, s.ParentSpanId)));
        Assert.All(results, r => Assert.StartsWith($"00-{parent.TraceId}-", r.Item2));
    }

    [Fact]
    public async Task UnsampledTraceparent_NotTraced_AndPassedOnAsSent()
    {
        var tracing = Tracing(ratio: 1, limit: 0);
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

        var (current, sent) = await ProxyAsync(tracing, traceparent);

        Assert.Null(current);
        Assert.Equal(traceparent, sent);
        Assert.DoesNotContain(Exported(), a => a.TraceId.ToHexString() == "0af7651916cd43dd8448eb211c80319c");
    }

    [Fact]
    public void ControllersOwnCalls_Recorded()
    {
        var watch = UpstreamTelemetry.Source.StartActivity("Watch", ActivityKind.Client);
        watch?.Dispose();

        _tracing!.ForceFlush();
        Assert.Contains(watch, Exported());
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void TraceRateLimit_Invalid_RefusedNamingTheSetting(double limit)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        builder.Configuration["IngressController:TraceRateLimit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var error = Assert.Throws<InvalidOperationException>(() => Extensions.IngressControllerExtensions.AddIngressController(builder));
        Assert.StartsWith("IngressController:TraceRateLimit: Invalid value", error.Message);
    }

    private ProxiedRequestTracing Tracing(double ratio, double limit) => new(
        Options.Create(new IngressControllerOptions { TraceSampleRatio = ratio, TraceRateLimit = limit }), _clock);

    /// <summary>One request through <paramref name="tracing"/> to the pod; what was current while it was proxied, and the traceparent the pod saw.</summary>
    private async Task<(Activity? Current, string Sent)> ProxyAsync(ProxiedRequestTracing tracing, string? traceparent = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("traced.example.com");
        context.Request.Path = "/t";
        context.Request.Protocol = "HTTP/1.1";
        if (traceparent is not null)
        {
            context.Request.Headers.TraceParent = traceparent;
        }

        Activity? current = null;
        var sent = "";
        await tracing.InvokeAsync(context, async c =>
        {
            current = Activity.Current;
            using var request = new HttpRequestMessage(HttpMethod.Get, _pod!.Address);
            if (traceparent is not null)
            {
                request.Headers.TryAddWithoutValidation("traceparent", traceparent);
            }

            using var response = await _upstream.SendAsync(request);
            sent = await response.Content.ReadAsStringAsync();
            c.Response.StatusCode = (int)response.StatusCode;
        });
        return (current, sent);
    }

    private List<Activity> ServerSpans(IEnumerable<(Activity? Current, string Sent)> results)
    {
        _tracing!.ForceFlush();
        var mine = results.Select(r => r.Current).OfType<Activity>().Select(a => a.SpanId).ToHashSet();
        return [.. Exported().Where(a => a.Kind == ActivityKind.Server && mine.Contains(a.SpanId))];
    }

    private List<Activity> Exported() => [.. _exported];

    public async Task DisposeAsync()
    {
        _tracing?.Dispose();
        _upstream.Dispose();
        if (_pod is not null)
        {
            await _pod.DisposeAsync();
        }
    }

    /// <summary>Keeps every span the SDK ends as recorded, from whichever thread ends it.</summary>
    private sealed class Recorder(ConcurrentQueue<Activity> recorded) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => recorded.Enqueue(data);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
