namespace KubeMesh.Client;

/// <summary>How often a <see cref="RebuildReconciler"/> may rebuild, and how it retries.</summary>
public sealed record RebuildReconcilerOptions
{
    /// <summary>The wait after a change before rebuilding, so a burst of changes (a manifest applied) costs one rebuild.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The least time between the starts of two rebuilds (kube-proxy's minSyncPeriod).</summary>
    public TimeSpan MinInterval { get; init; }

    /// <summary>Rebuild this often even when nothing changed (kube-proxy's syncPeriod); zero for never.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>The wait before retrying a failed rebuild, doubled per consecutive failure.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
