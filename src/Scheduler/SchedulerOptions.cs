namespace KubeMesh.Scheduler;

/// <summary>The configuration section "Scheduler" (kube-scheduler's KubeSchedulerConfiguration, the parts KubeMesh has).</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>Pods naming this scheduler in spec.schedulerName (or naming none) are ours.</summary>
    public string SchedulerName { get; set; } = DefaultSchedulerName;

    /// <summary>The wait before an unschedulable pod's second attempt; doubles per attempt (kube: 1 s).</summary>
    public TimeSpan PodInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts (kube: 10 s).</summary>
    public TimeSpan PodMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The share of nodes filtering looks for feasible ones before scoring (kube-scheduler's percentageOfNodesToScore):
    /// 0 adapts it to the cluster's size, 100 looks at every node.
    /// </summary>
    public int PercentageOfNodesToScore { get; set; }

    /// <summary>A pod no cluster event has woken for this long is retried anyway (kube: 5 min), in case an event was missed.</summary>
    public TimeSpan PodMaxInUnschedulablePodsDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Record every pod's scheduling results (each plugin's filter verdict and score per node) on the pod, in
    /// kube-scheduler-simulator's annotations; off, only pods annotated scheduler.kubemesh.io/record-results: "true".
    /// </summary>
    public bool RecordSchedulingResults { get; set; }
}
