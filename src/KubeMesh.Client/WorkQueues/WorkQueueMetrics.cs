using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace KubeMesh.Client;

/// <summary>
/// The work queues' metrics, named, described and labelled (<c>name</c> = the queue's name) as client-go's
/// workqueue metrics, published through System.Diagnostics.Metrics under the meter <see cref="MeterName"/>.
/// Only named queues publish.
/// </summary>
public static class WorkQueueMetrics
{
    public const string MeterName = "KubeMesh.WorkQueue";

    public const string NameTag = "name";

    // client-go's buckets: prometheus.ExponentialBuckets(10e-9, 10, 10), 10 ns to 10 s.
    private static readonly IReadOnlyList<double> DurationBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

    private static readonly Meter Meter = new(MeterName);

    private static readonly ConcurrentDictionary<IInProgress, byte> Live = new();

    internal static readonly UpDownCounter<long> Depth = Meter.CreateUpDownCounter<long>(
        "workqueue_depth", "{item}", "Current depth of workqueue");

    internal static readonly Counter<long> Adds = Meter.CreateCounter<long>(
        "workqueue_adds_total", "{item}", "Total number of adds handled by workqueue");

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "workqueue_retries_total", "{item}", "Total number of retries handled by workqueue");

    internal static readonly Histogram<double> QueueDuration = Seconds(
        "workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.");

    internal static readonly Histogram<double> WorkDuration = Seconds(
        "workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.");

    private static readonly ObservableGauge<double> UnfinishedWork = Meter.CreateObservableGauge(
        "workqueue_unfinished_work_seconds",
        () => ByName().Select(q => new Measurement<double>(q.Total, Tag(q.Name))),
        "s",
        "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.");

    private static readonly ObservableGauge<double> LongestRunning = Meter.CreateObservableGauge(
        "workqueue_longest_running_processor_seconds",
        () => ByName().Select(q => new Measurement<double>(q.Longest, Tag(q.Name))),
        "s",
        "How many seconds has the longest running processor for workqueue been running.");

    /// <summary>The instruments' names, as exported.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
    [
        Depth.Name, Adds.Name, Retries.Name, QueueDuration.Name, WorkDuration.Name, UnfinishedWork.Name, LongestRunning.Name,
    ];

    /// <summary>A queue whose items in progress the gauges read at each collection.</summary>
    internal interface IInProgress
    {
        string Name { get; }

        (double Total, double Longest) InProgressSeconds();
    }

    internal static KeyValuePair<string, object?> Tag(string name) => new(NameTag, name);

    internal static void Register(IInProgress queue) => Live.TryAdd(queue, 0);

    internal static void Unregister(IInProgress queue) => Live.TryRemove(queue, out _);

    private static Histogram<double> Seconds(string name, string description) =>
        Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private static IEnumerable<(string Name, double Total, double Longest)> ByName() =>
        Live.Keys
            .Select(q => (q.Name, Seconds: q.InProgressSeconds()))
            .GroupBy(q => q.Name)
            .Select(g => (g.Key, g.Sum(q => q.Seconds.Total), g.Max(q => q.Seconds.Longest)));
}
