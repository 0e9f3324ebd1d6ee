namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// A component's leader election, from the configuration section "LeaderElection": kube-scheduler's and
/// kube-controller-manager's --leader-elect flags under the same names.
/// </summary>
public sealed class LeaderElectionOptions
{
    public const string Section = "LeaderElection";

    /// <summary>--leader-elect: run as one of several replicas, acting only while holding the lease.</summary>
    public bool LeaderElect { get; set; } = true;

    /// <summary>--leader-elect-lease-duration.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>--leader-elect-renew-deadline.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>--leader-elect-retry-period.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>--leader-elect-resource-namespace.</summary>
    public string ResourceNamespace { get; set; } = "kube-system";

    /// <summary>--leader-elect-resource-name: the component's own name (kube-scheduler, kube-controller-manager) unless set.</summary>
    public string ResourceName { get; set; } = "";

    /// <summary>
    /// The holder identity's first part, as kube uses the host name; a unique suffix is always added so a restarted
    /// process is a new candidate. Defaults to OTEL_SERVICE_NAME (the AppHost's resource name, e.g. scheduler-2), else the host name.
    /// </summary>
    public string? Identity { get; set; }
}
