using System.Diagnostics;

namespace KubeMesh.AppHost;

/// <summary>Adds the cluster's store (the etcd of KubeMesh) as whichever Redis-protocol server this machine can run.</summary>
public static class StoreResourceExtensions
{
    public static (IResourceBuilder<IResource>? Resource, string ConnectionString) AddClusterStore(this IDistributedApplicationBuilder builder, ClusterOptions cluster, string dataDirectory)
    {
        var mode = cluster.StoreMode.ToLowerInvariant();
        if (mode == "auto")
        {
            mode = ContainerEngineIsHealthy() ? "container" : OnPath("redis-server") ? "redis-server" : "embedded";
        }

        var port = cluster.StorePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var local = $"127.0.0.1:{port}";
        var storeData = Path.Combine(dataDirectory, "store");
        Directory.CreateDirectory(storeData);
        switch (mode)
        {
            case "container":
                var redis = builder.AddRedis("store", cluster.StorePort).WithDataVolume("kubemesh-store").WithPersistence();
                return (redis, local);
            case "redis-server":
                var server = builder.AddExecutable("store", "redis-server", storeData,
                    "--port", port, "--bind", "127.0.0.1", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", storeData);
                return (server, local);
            case "embedded":
                var garnet = builder.AddProject<Projects.Store>("store", ControlPlaneExtensions.ComponentOptions)
                    .WithEnvironment("STORE_PORT", port)
                    .WithEnvironment("STORE_DATA_DIR", storeData);
                return (garnet, local);
            case "external":
                return (null, cluster.StoreConnectionString
                    ?? throw new InvalidOperationException("Cluster:StoreConnectionString is required with Cluster:StoreMode=external"));
            default:
                throw new InvalidOperationException($"Cluster:StoreMode: unsupported value \"{cluster.StoreMode}\": use auto, container, redis-server, embedded or external");
        }
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
