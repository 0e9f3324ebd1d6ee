using System.Diagnostics.Metrics;
using KubeMesh.Kubelet.Pods;

namespace KubeMesh.Kubelet.Metrics;

/// <summary>
/// The kubelet's metrics under their Kubernetes names, on the meter <see cref="MeterName"/>:
/// kubelet_pod_start_duration_seconds (from the kubelet first seeing a pod to the pod running), kubelet_running_pods
/// (pods with a sandbox that have not finished) and kubelet_running_containers by container_state.
/// </summary>
public sealed class KubeletMetrics : IDisposable
{
    public const string MeterName = "KubeMesh.Kubelet";

    // The kubelet's buckets for pod start: 0.5 s to 20 min.
    private static readonly IReadOnlyList<double> PodStartBuckets =
        [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200];

    private readonly Meter _meter;
    private readonly Histogram<double> _podStart;

    public KubeletMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _podStart = _meter.CreateHistogram(
            "kubelet_pod_start_duration_seconds", "s", "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = PodStartBuckets });
    }

    /// <summary>The instruments' names, as exported.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
        ["kubelet_pod_start_duration_seconds", "kubelet_running_pods", "kubelet_running_containers"];

    public void PodStarted(TimeSpan sinceFirstSeen) => _podStart.Record(sinceFirstSeen.TotalSeconds);

    /// <summary>Publishes the gauges over the node's pod workers, read at each collection.</summary>
    public void TrackPods(Func<IReadOnlyCollection<PodWorker>> workers)
    {
        _meter.CreateObservableGauge(
            "kubelet_running_pods", () => (long)workers().Count(w => w.IsRunning), "{pod}", "Number of pods that have a running pod sandbox");
        _meter.CreateObservableGauge(
            "kubelet_running_containers",
            () => workers().SelectMany(w => w.ContainerStates())
                .CountBy(state => state)
                .Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("container_state", c.Key))),
            "{container}",
            "Number of containers currently running");
    }

    public void Dispose() => _meter.Dispose();
}
