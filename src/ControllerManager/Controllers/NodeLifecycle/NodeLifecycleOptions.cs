namespace KubeMesh.ControllerManager.Controllers.NodeLifecycle;

/// <summary>kube-controller-manager's --node-monitor-grace-period, --pod-eviction-timeout and --node-monitor-period.</summary>
public sealed class NodeLifecycleOptions
{
    public const string Section = "NodeLifecycle";

    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(40);

    public TimeSpan PodEvictionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MonitorPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
