namespace KubeMesh.AppHost;

/// <summary>Where the cluster's store runs (Cluster:StoreMode, after auto is decided).</summary>
public enum StoreMode
{
    /// <summary>Aspire's Redis container: needs a running container engine.</summary>
    Container,

    /// <summary>redis-server from PATH, as an executable resource.</summary>
    RedisServer,

    /// <summary>Garnet hosted in the KubeMesh.Store project: needs only the .NET SDK.</summary>
    Embedded,

    /// <summary>A store someone else runs, at Cluster:StoreConnectionString.</summary>
    External,
}
