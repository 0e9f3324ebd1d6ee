using System.Diagnostics;

namespace KubeMesh.AppHost;

/// <summary>Adds the cluster's store (the etcd of KubeMesh) as whichever Redis-protocol server this machine can run.</summary>
public static class StoreResourceExtensions
{
    /// <returns>The store's resource (none when external) and the connection string the api-server is given.</returns>
    public static (IResourceBuilder<IResource>? Resource, ReferenceExpression ConnectionString) AddClusterStore(this IDistributedApplicationBuilder builder, ClusterOptions cluster, string dataDirectory)
    {
        var mode = StoreModeSelector.Select(cluster, ContainerEngineIsHealthy, () => OnPath("redis-server"));
        var port = cluster.StorePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var local = ReferenceExpression.Create($"127.0.0.1:{port}");
        var storeData = StoreDataDirectory(dataDirectory);
        Directory.CreateDirectory(storeData);
        switch (mode)
        {
            case StoreMode.Container:
                // Aspire generates the container's password (the store-password parameter, kept in the AppHost's user
                // secrets); the api-server gets it inside the connection string. The data stays in the data directory.
                var redis = builder.AddRedis("store", cluster.StorePort)
                    .WithDataBindMount(storeData)
                    .WithArgs(AppendOnly);
                return (redis, redis.Resource.ConnectionStringExpression);
            case StoreMode.RedisServer:
                var server = builder.AddExecutable("store", "redis-server", storeData,
                    "--port", port, "--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", storeData);
                return (server, local);
            case StoreMode.Embedded:
                var garnet = builder.AddProject<Projects.Store>("store", ControlPlaneExtensions.ComponentOptions)
                    .WithEnvironment("STORE_PORT", port)
                    .WithEnvironment("STORE_DATA_DIR", storeData);
                return (garnet, local);
            default:
                return (null, ReferenceExpression.Create($"{cluster.StoreConnectionString}"));
        }
    }

    /// <summary>Where every mode that runs the store keeps its files: the data directory's store folder.</summary>
    public static string StoreDataDirectory(string dataDirectory) => Path.Combine(dataDirectory, "store");

    /// <summary>
    /// Aspire runs the container as <c>/bin/sh -c "redis-server --requirepass $REDIS_PASSWORD --save 60 1"</c>, the
    /// command's words joined at start (or already joined, when publishing): snapshots alone lose the last minute's
    /// acknowledged writes when the store restarts, so the server also keeps an append-only file, written before
    /// each reply and flushed every second, as in redis-server mode.
    /// </summary>
    private static void AppendOnly(CommandLineArgsCallbackContext context)
    {
        for (var i = context.Args.Count - 1; i >= 0; i--)
        {
            if (context.Args[i] is string command && command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                context.Args[i] = command + " --appendonly yes --appendfsync everysec";
                return;
            }
        }

        throw new InvalidOperationException("Cluster:StoreMode=container: Aspire's Redis no longer starts through `sh -c \"redis-server ...\"`; the store's append-only file cannot be turned on");
    }

    private static bool ContainerEngineIsHealthy()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null)
            {
                return false;
            }

            if (!docker.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                docker.Kill(entireProcessTree: true);
                return false;
            }

            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
