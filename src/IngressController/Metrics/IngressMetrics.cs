using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KubeMesh.IngressController.Routing;

namespace KubeMesh.IngressController.Metrics;

/// <summary>
/// Request counts and latencies per ingress rule (ingress-nginx's nginx_ingress_controller_requests and
/// request_duration_seconds). Tags come from the rule, not the request, so their number stays bounded. The count is
/// an observable counter over <see cref="RequestSeries"/> totals; only the duration goes through the metrics SDK per
/// request, with tags built once per rule and status code.
/// </summary>
internal sealed class IngressMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.IngressController";

    private readonly Meter _meter;
    private readonly ObservableCounter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<(string, string, string, string), RequestSeries> _series = new();

    public IngressMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateObservableCounter("kubemesh.ingress.requests", Totals, "{request}", "Requests through the ingress.");
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
        // The rule's series is found once and then kept on the policy (a new configuration brings new policies).
        var series = policy.MetricSeries ??= _series.GetOrAdd(
            (policy.IngressNamespace, policy.IngressName, policy.Host.Host, policy.PathLabel),
            static key => new RequestSeries(key.Item1, key.Item2, key.Item3, key.Item4));
        series.Count(statusCode);
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, series.Tags(statusCode));
        }
    }

    private IEnumerable<Measurement<long>> Totals() => _series.Values.SelectMany(s => s.Totals());

    public void Dispose() => _meter.Dispose();
}
