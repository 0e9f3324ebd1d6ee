using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>The api-server is ready only while its store answers (kube-apiserver's /readyz etcd check).</summary>
public sealed class StoreHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"store answered in {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("store unreachable", ex);
        }
    }
}
