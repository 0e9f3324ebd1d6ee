using System.Diagnostics.Metrics;
using KubeMesh.Scheduler.Queue;

namespace KubeMesh.Scheduler.Metrics;

/// <summary>
/// kube-scheduler's metrics under its names and labels, on the meter <see cref="MeterName"/>:
/// scheduler_schedule_attempts_total and scheduler_scheduling_attempt_duration_seconds by result (scheduled,
/// unschedulable, error) and profile, and scheduler_pending_pods by queue (active, backoff, unschedulable, gated).
/// </summary>
public sealed class SchedulerMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.Scheduler";
    public const string Scheduled = "scheduled";
    public const string Unschedulable = "unschedulable";
    public const string Error = "error";

    // kube-scheduler's buckets: ExponentialBuckets(0.001, 2, 15), 1 ms to 16 s.
    private static readonly IReadOnlyList<double> AttemptBuckets =
        [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

    private readonly Meter _meter;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly KeyValuePair<string, object?> _profile;

    public SchedulerMetrics(SchedulingQueue queue, string profile, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _profile = new("profile", profile);
        _attempts = _meter.CreateCounter<long>(
            "scheduler_schedule_attempts_total", "{attempt}", "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.");
        _attemptDuration = _meter.CreateHistogram(
            "scheduler_scheduling_attempt_duration_seconds", "s", "Scheduling attempt latency in seconds (scheduling algorithm + binding)", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = AttemptBuckets });
        _meter.CreateObservableGauge(
            "scheduler_pending_pods",
            () => PendingPods(queue),
            "{pod}",
            "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.");
    }

    /// <summary>The instruments' names, as exported.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
        ["scheduler_schedule_attempts_total", "scheduler_scheduling_attempt_duration_seconds", "scheduler_pending_pods"];

    /// <summary>One attempt's end: its result and how long it took, from the pod leaving the queue to bound or given up.</summary>
    public void Attempt(string result, TimeSpan duration)
    {
        var tags = new System.Diagnostics.TagList { { "result", result }, _profile };
        _attempts.Add(1, tags);
        _attemptDuration.Record(duration.TotalSeconds, tags);
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> PendingPods(SchedulingQueue queue)
    {
        var (active, backoff, unschedulable) = queue.Pending();
        yield return new(active, new KeyValuePair<string, object?>("queue", "active"));
        yield return new(backoff, new KeyValuePair<string, object?>("queue", "backoff"));
        yield return new(unschedulable, new KeyValuePair<string, object?>("queue", "unschedulable"));
        yield return new(0, new KeyValuePair<string, object?>("queue", "gated"));
    }
}
