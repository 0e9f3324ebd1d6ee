using System.Diagnostics;
using System.Diagnostics.Metrics;
using KubeMesh.IngressController.Routing;

namespace KubeMesh.IngressController.Metrics;

/// <summary>
/// Request counts and latencies per ingress rule (ingress-nginx's nginx_ingress_controller_requests and
/// request_duration_seconds). Tags come from the rule, not the request, so their number stays bounded.
/// </summary>
internal sealed class IngressMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.IngressController";

    // Boxed once: a status code tag must not allocate per request.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 600).Select(c => (object)c).ToArray();

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public IngressMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("kubemesh.ingress.requests", "{request}", "Requests through the ingress.");
        _duration = _meter.CreateHistogram<double>(
            "kubemesh.ingress.request.duration",
            "s",
            "Time from the request reaching the ingress to the end of its response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    /// <summary>True while a listener (OpenTelemetry, dotnet-counters) collects either instrument.</summary>
    public bool Enabled => _requests.Enabled || _duration.Enabled;

    public void Record(IngressRoutePolicy policy, int statusCode, long startTimestamp)
    {
        if (!Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "ingress.namespace", policy.IngressNamespace },
            { "ingress.name", policy.IngressName },
            { "host", policy.Host.Host },
            { "path", policy.PathLabel },
            { "http.response.status_code", (uint)statusCode < StatusCodes.Length ? StatusCodes[statusCode] : statusCode },
        };
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    public void Dispose() => _meter.Dispose();
}
