namespace KubeMesh.ApiServer.Storage;

public sealed class StoreOptions
{
    public const string Section = "Store";

    /// <summary>StackExchange.Redis connection string of the Redis-protocol store (redis-server or Garnet).</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key, like etcd's /registry.</summary>
    public string KeyPrefix { get; set; } = "/registry";

    /// <summary>How many events of each kind the watch log keeps; a watch from an older revision is expired.</summary>
    public int HistoryLimit { get; set; } = 10_000;

    /// <summary>How often a watch feed polls the log when no notification arrived (covers a lost PUBLISH).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
