using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>
/// kube-apiserver's request and watch metrics, under its names and labels, on the meter <see cref="MeterName"/>:
/// apiserver_request_total and apiserver_request_duration_seconds (verb, group, version, resource, subresource,
/// scope, component, code), apiserver_registered_watchers (group, version, kind) and apiserver_watch_events_total
/// (group, version, kind). Any front door records through <see cref="Request"/>; gRPC's does it in
/// <see cref="RequestMetricsInterceptor"/>.
/// </summary>
public sealed class ApiServerMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.ApiServer";

    // kube-apiserver's buckets for apiserver_request_duration_seconds.
    private static readonly IReadOnlyList<double> Buckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private static readonly ConcurrentDictionary<int, object> Codes = new();

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _watchers;
    private readonly Counter<long> _watchEvents;
    private readonly UpDownCounter<long> _inFlight;

    public ApiServerMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>(
            "apiserver_request_total", "{request}", "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.");
        _duration = _meter.CreateHistogram(
            "apiserver_request_duration_seconds", "s", "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _watchers = _meter.CreateUpDownCounter<long>(
            "apiserver_registered_watchers", "{watcher}", "Number of currently registered watchers for a given resources");
        _watchEvents = _meter.CreateCounter<long>(
            "apiserver_watch_events_total", "{event}", "Number of events sent in watch clients");
        _inFlight = _meter.CreateUpDownCounter<long>(
            "apiserver_current_inflight_requests", "{request}", "Number of requests of this apiserver being served now under the max-inflight limits, per request kind (readOnly, mutating).");
    }

    /// <summary>The instruments' names, as exported.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
        ["apiserver_request_total", "apiserver_request_duration_seconds", "apiserver_registered_watchers", "apiserver_watch_events_total", "apiserver_current_inflight_requests"];

    /// <summary>One finished request; <paramref name="kind"/> null for requests that name no resource (discovery, manifests).</summary>
    public void Request(RequestInfo request, int code, long startTimestamp)
    {
        if (!_requests.Enabled && !_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "verb", request.Verb },
            { "group", request.Kind?.Group ?? "" },
            { "version", request.Kind?.Version ?? "" },
            { "resource", request.Kind?.Plural ?? "" },
            { "subresource", request.Subresource },
            { "scope", request.Kind is null ? "" : request.Kind.Namespaced ? "namespace" : "cluster" },
            { "component", "apiserver" },
            { "code", Codes.GetOrAdd(code, c => c.ToString(CultureInfo.InvariantCulture)) },
        };
        _requests.Add(1, tags);
        tags.RemoveAt(tags.Count - 1);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    /// <summary>A request counted by the max-inflight limit starts (+1) or ends (-1).</summary>
    public void InFlight(bool mutating, int delta) => _inFlight.Add(delta, new KeyValuePair<string, object?>("request_kind", mutating ? "mutating" : "readOnly"));

    /// <summary>A watch of <paramref name="kind"/> starts; dispose the result when it ends.</summary>
    public Watcher Watch(ResourceKind kind) => new(this, kind);

    public void Dispose() => _meter.Dispose();

    private static TagList KindTags(ResourceKind kind) => new() { { "group", kind.Group }, { "version", kind.Version }, { "kind", kind.Kind } };

    /// <summary>One registered watcher: counted while it lives, and counting the events it is sent.</summary>
    public sealed class Watcher : IDisposable
    {
        private readonly ApiServerMetrics _metrics;
        private readonly TagList _tags;

        internal Watcher(ApiServerMetrics metrics, ResourceKind kind)
        {
            _metrics = metrics;
            _tags = KindTags(kind);
            _metrics._watchers.Add(1, _tags);
        }

        public void Sent() => _metrics._watchEvents.Add(1, _tags);

        public void Dispose() => _metrics._watchers.Add(-1, _tags);
    }
}
