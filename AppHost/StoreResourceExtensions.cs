using System.Diagnostics;
using System.Security.Cryptography;
using KubeMesh.Api.Security;

namespace KubeMesh.AppHost;

/// <summary>Adds the cluster's store (the etcd of KubeMesh) as whichever Redis-protocol server this machine can run.</summary>
public static class StoreResourceExtensions
{
    /// <returns>The store's resource (none when external) and the connection string the api-server is given.</returns>
    public static (IResourceBuilder<IResource>? Resource, ReferenceExpression ConnectionString) AddClusterStore(this IDistributedApplicationBuilder builder, ClusterOptions cluster, string dataDirectory)
    {
        var mode = StoreModeSelector.Select(cluster, ContainerEngineIsHealthy, () => OnPath("redis-server"));
        var port = cluster.StorePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var storeData = StoreDataDirectory(dataDirectory);
        Directory.CreateDirectory(storeData);
        // Generated at first start and kept beside the store's data; only the api-server is given it (in its connection string).
        var password = PrivateFiles.ReadOrCreate(Path.Combine(dataDirectory, PasswordFileName), () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        var local = ReferenceExpression.Create($"127.0.0.1:{port},password={password}");
        switch (mode)
        {
            case StoreMode.Container:
                // Aspire passes the password to the container as REDIS_PASSWORD (--requirepass) and to the api-server inside
                // the connection string. The data stays in the data directory.
                var redis = builder.AddRedis("store", cluster.StorePort, builder.AddParameter("store-password", password, secret: true))
                    .WithDataBindMount(storeData)
                    .WithArgs(AppendOnly);
                return (redis, redis.Resource.ConnectionStringExpression);
            case StoreMode.RedisServer:
                // requirepass comes from a file readable by its owner only: a command line is visible to every user in ps.
                var authConfig = Path.Combine(storeData, "redis-auth.conf");
                PrivateFiles.Write(authConfig, $"requirepass {password}\n");
                var server = builder.AddExecutable("store", "redis-server", storeData, authConfig,
                    "--port", port, "--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync", "always", "--dir", storeData);
                return (server, local);
            case StoreMode.Embedded:
                var garnet = builder.AddProject<Projects.Store>("store", ControlPlaneExtensions.ComponentOptions)
                    .WithEnvironment("STORE_PORT", port)
                    .WithEnvironment("STORE_DATA_DIR", storeData)
                    .WithEnvironment("STORE_PASSWORD", password);
                return (garnet, local);
            default:
                return (null, ReferenceExpression.Create($"{cluster.StoreConnectionString}"));
        }
    }

    /// <summary>The store's password, in the data directory.</summary>
    public const string PasswordFileName = "store-password";

    /// <summary>redis-server's append-only file, fsynced before every reply: a write the api-server acknowledged survives kill -9 and power loss.</summary>
    public const string DurableAppendOnly = "--appendonly yes --appendfsync always";

    /// <summary>Where every mode that runs the store keeps its files: the data directory's store folder.</summary>
    public static string StoreDataDirectory(string dataDirectory) => Path.Combine(dataDirectory, "store");

    /// <summary>
    /// Aspire runs the container as <c>/bin/sh -c "redis-server --requirepass $REDIS_PASSWORD --save 60 1"</c>, the
    /// command's words joined at start (or already joined, when publishing): snapshots alone lose the last minute's
    /// acknowledged writes when the store restarts, so the server also keeps an append-only file, written and fsynced
    /// before each reply (etcd's guarantee: a put is acknowledged once its WAL entry is on disk), as in redis-server mode.
    /// </summary>
    private static void AppendOnly(CommandLineArgsCallbackContext context)
    {
        for (var i = context.Args.Count - 1; i >= 0; i--)
        {
            if (context.Args[i] is string command && command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                context.Args[i] = command + " " + DurableAppendOnly;
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
