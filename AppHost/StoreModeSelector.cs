namespace KubeMesh.AppHost;

/// <summary>
/// Reads Cluster:StoreMode: auto (also when unset) takes a container when an engine answers, else redis-server
/// when it is on PATH, else the embedded Garnet; container, redis-server, embedded and external are taken as
/// given. The machine is asked through the probes, and only for auto.
/// </summary>
public static class StoreModeSelector
{
    /// <exception cref="InvalidOperationException">An unknown mode, or external without Cluster:StoreConnectionString.</exception>
    public static StoreMode Select(ClusterOptions cluster, Func<bool> containerEngineIsHealthy, Func<bool> redisServerIsOnPath)
    {
        var configured = cluster.StoreMode?.Trim() ?? "";
        var mode = configured.ToLowerInvariant() switch
        {
            "" or "auto" => containerEngineIsHealthy() ? StoreMode.Container : redisServerIsOnPath() ? StoreMode.RedisServer : StoreMode.Embedded,
            "container" => StoreMode.Container,
            "redis-server" => StoreMode.RedisServer,
            "embedded" => StoreMode.Embedded,
            "external" => StoreMode.External,
            _ => throw new InvalidOperationException(
                $"Cluster:StoreMode: unsupported value \"{cluster.StoreMode}\": use auto, container, redis-server, embedded or external"),
        };
        if (mode == StoreMode.External && string.IsNullOrWhiteSpace(cluster.StoreConnectionString))
        {
            throw new InvalidOperationException("Cluster:StoreConnectionString is required with Cluster:StoreMode=external");
        }

        return mode;
    }
}
