using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.EndToEnd.Otlp;

/// <summary>One span as a component exported it, with the service (Aspire resource) that sent it.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyList<string> LinkedTraceIds);

/// <summary>
/// An OTLP/HTTP receiver (protobuf, as the OpenTelemetry SDK's exporter sends with OTEL_EXPORTER_OTLP_PROTOCOL=
/// http/protobuf) on a free loopback port: what the dashboard's collector would receive, kept for tests to read.
/// POST /v1/traces and /v1/metrics answer 200 with an empty export response (all accepted); a body that does not
/// parse answers 400, as the specification says, and is not kept.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedSpan>> _traces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedSpan>> _linkedTo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _metrics = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>The base URL an exporter's OTEL_EXPORTER_OTLP_ENDPOINT is given.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Listens on a free port; another port when a process took the one drawn before it bound (a busy machine).</summary>
    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Get();
            var app = Build(Port);
            try
            {
                await app.StartAsync();
                _app = app;
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    private WebApplication Build(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Not the appsettings.json the components leave in the test's folder: the api-server's names its endpoints.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        app.MapPost("/v1/traces", context => ReceiveAsync(context, ExportTraceServiceRequest.Parser, Keep));
        app.MapPost("/v1/metrics", context => ReceiveAsync(context, ExportMetricsServiceRequest.Parser, Keep));
        return app;
    }

    /// <summary>The spans of one trace received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Trace(string traceId) =>
        _traces.TryGetValue(traceId, out var spans) ? [.. spans] : [];

    /// <summary>
    /// The spans of other traces that link to one: work that served several changes at once (a proxy's rebuild
    /// after changes of several traces) is the child of the first and links the rest.
    /// </summary>
    public IReadOnlyList<ReceivedSpan> LinkedTo(string traceId) =>
        _linkedTo.TryGetValue(traceId, out var spans) ? [.. spans] : [];

    /// <summary>The services that exported a metric of that name so far (none when nobody did).</summary>
    public IReadOnlyCollection<string> MetricServices(string name) =>
        _metrics.TryGetValue(name, out var services) ? [.. services.Keys] : [];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static async Task ReceiveAsync<T>(HttpContext context, MessageParser<T> parser, Action<T> keep)
        where T : IMessage<T>
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        T request;
        try
        {
            request = parser.ParseFrom(body.ToArray());
        }
        catch (InvalidProtocolBufferException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(e.Message, context.RequestAborted);
            return;
        }

        keep(request);
        context.Response.ContentType = "application/x-protobuf";
    }

    private void Keep(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceName(resource.Resource);
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    var received = new ReceivedSpan(
                        service,
                        scope.Scope?.Name ?? "",
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        [.. span.Links.Select(l => Convert.ToHexStringLower(l.TraceId.Span))]);
                    _traces.GetOrAdd(received.TraceId, _ => new ConcurrentQueue<ReceivedSpan>()).Enqueue(received);
                    foreach (var linked in received.LinkedTraceIds.Distinct(StringComparer.Ordinal).Where(t => t != received.TraceId))
                    {
                        _linkedTo.GetOrAdd(linked, _ => new ConcurrentQueue<ReceivedSpan>()).Enqueue(received);
                    }
                }
            }
        }
    }

    private void Keep(ExportMetricsServiceRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceName(resource.Resource);
            foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
            {
                _metrics.GetOrAdd(metric.Name, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[service] = 0;
            }
        }
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
}
