namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// client-go's LeaderElectionConfig, with its defaults (kube-scheduler's and kube-controller-manager's flags): a lease
/// trusted for 15 s, a leader that has not renewed within 10 s gives up, candidates retry every 2 s.
/// </summary>
public sealed record LeaderElectionConfig
{
    /// <summary>client-go's JitterFactor: candidates wait between one and 2.2 retry periods, so they do not collide.</summary>
    public const double JitterFactor = 1.2;

    /// <summary>How long non-leaders wait, after last seeing the lease change, before they may take it (--leader-elect-lease-duration).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it stops leading (--leader-elect-renew-deadline).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to acquire and the leader renews (--leader-elect-retry-period).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Hand the lease over at once (holder cleared, 1 s duration) when the elector is stopped while leading.</summary>
    public bool ReleaseOnCancel { get; init; }

    /// <summary>Called once this candidate leads; the token is cancelled when it stops leading.</summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>Called when the elector stops, whether or not it led (client-go calls it on every exit of Run).</summary>
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called when the observed holder changes, this candidate included.</summary>
    public Action<string>? OnNewLeader { get; init; }

    /// <exception cref="ArgumentException">The durations do not leave the leader time to stop before its lease runs out.</exception>
    public void Validate()
    {
        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException($"leaseDuration ({LeaseDuration}) must be greater than renewDeadline ({RenewDeadline})");
        }

        if (RenewDeadline <= RetryPeriod * JitterFactor)
        {
            throw new ArgumentException($"renewDeadline ({RenewDeadline}) must be greater than retryPeriod*JitterFactor ({RetryPeriod * JitterFactor})");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("retryPeriod must be greater than zero");
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("leaseDuration must be at least one second: the lease records whole seconds");
        }
    }
}
