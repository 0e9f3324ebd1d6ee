using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KubeMesh.Scheduler;

/// <summary>/readyz is healthy once the informers have synced: before that the scheduler would decide on an empty cache.</summary>
public sealed class SchedulerReadiness : IHealthCheck
{
    private volatile bool _synced;

    public bool IsSynced => _synced;

    public void MarkSynced() => _synced = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_synced ? HealthCheckResult.Healthy("informers synced") : HealthCheckResult.Unhealthy("waiting for informers to sync"));
}
