using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KubeMesh.IngressController.Sync;

/// <summary>Ready once the caches have synced and their configuration is served (ingress-nginx's readiness).</summary>
internal sealed class IngressConfigHealthCheck(IngressSynchronizer synchronizer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(synchronizer.IsReady
            ? HealthCheckResult.Healthy("configuration applied")
            : HealthCheckResult.Unhealthy("waiting for the informers' first sync"));
}
