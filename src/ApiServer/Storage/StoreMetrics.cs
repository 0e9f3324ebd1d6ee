using System.Diagnostics;
using System.Diagnostics.Metrics;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The store's side of the api-server's metrics, named as kube-apiserver names its etcd client's:
/// etcd_request_duration_seconds by operation (get, list, create, update, delete) and type (the resource).
/// </summary>
public sealed class StoreMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.ApiServer.Storage";
    public const string Get = "get";
    public const string List = "list";

    // kube-apiserver's buckets for etcd_request_duration_seconds.
    private static readonly IReadOnlyList<double> Buckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;

    public StoreMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _duration = _meter.CreateHistogram(
            "etcd_request_duration_seconds", "s", "Etcd request latency in seconds for each operation and object type.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    public static IReadOnlyList<string> InstrumentNames { get; } = ["etcd_request_duration_seconds"];

    public void Request(string operation, ResourceKind kind, long startTimestamp)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        _duration.Record(
            Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("type", kind.Plural));
    }

    public void Dispose() => _meter.Dispose();
}
