using System.Diagnostics.Metrics;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>
/// kube-apiserver's own metrics on the meter KubeMesh.ApiServer, served at /metrics in Prometheus' format (and to the
/// dashboard): apiserver_request_duration_seconds by verb, resource, subresource and code, with kube-apiserver's
/// buckets (its latency SLO is computed from them); apiserver_watch_events_total by resource; apiserver_registered_watchers.
/// </summary>
public sealed class ApiServerMetrics
{
    public const string MeterName = "KubeMesh.ApiServer";

    /// <summary>kube-apiserver's buckets for apiserver_request_duration_seconds.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _watchEvents;
    private long _watchers;

    public ApiServerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram(
            "apiserver_request_duration_seconds", "s", "Response latency of non-watch requests by verb, resource and code",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _watchEvents = meter.CreateCounter<long>("apiserver_watch_events_total", description: "Events sent to watchers, by resource");
        meter.CreateObservableUpDownCounter("apiserver_registered_watchers", () => Volatile.Read(ref _watchers), description: "Watches being served");
    }

    public void RequestFinished(ApiRequest request, string code, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, [
            new("verb", request.Verb), new("resource", request.Resource), new("subresource", request.Subresource), new("code", code)]);

    public void WatchEventsSent(string resource, int count) => _watchEvents.Add(count, new KeyValuePair<string, object?>("resource", resource));

    public void WatchStarted() => Interlocked.Increment(ref _watchers);

    public void WatchEnded() => Interlocked.Decrement(ref _watchers);
}
