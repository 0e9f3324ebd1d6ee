using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KubeMesh.Api.Security;
using KubeMesh.ApiServer.Extensions;
using KubeMesh.AppHost;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace KubeMesh.EndToEnd;

/// <summary>
/// Cluster:StoreMode=container as the AppHost's model describes it. No container engine runs on this machine, so
/// the container itself is not started: its password is set on a real redis-server, which the api-server's
/// connection string, as the AppHost hands it over, must then open.
/// </summary>
public sealed class ContainerStoreTests : IAsyncLifetime
{
    private const string Password = "Store-Password-0123456789";
    private readonly RedisServer _redis = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("kubemesh-container-store-").FullName;

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [SkippableFact]
    public async Task ContainerMode_ApiServerConnectionString_CarriesThePassword()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var (redis, apiServer) = ContainerModel();
        var endpoint = redis.PrimaryEndpoint.EndpointAnnotation;
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "127.0.0.1", _redis.Port, EndpointBindingMode.SingleAddress, targetPortExpression: null);
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", Password);
        }

        // What the api-server process reads (ConnectionStrings__store), through its own configuration code.
        var handed = await EnvironmentValueAsync(apiServer, "ConnectionStrings__store", cts.Token);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:store"] = handed }).Build();
        await using var store = await ConnectionMultiplexer.ConnectAsync(ConfigurationOptions.Parse(configuration.StoreConnectionString()));
        await store.GetDatabase().StringSetAsync("/registry/probe", "ok");

        Assert.Equal("ok", (string?)await store.GetDatabase().StringGetAsync("/registry/probe"));
        Assert.Contains("password=" + Password, handed, StringComparison.Ordinal);
        // Without the password the store refuses: asked over a plain connection, so the driver's own handshake (which
        // may fail in other words first) does not stand between the question and redis-server's answer.
        using var plain = new System.Net.Sockets.TcpClient();
        await plain.ConnectAsync("127.0.0.1", _redis.Port, cts.Token);
        var stream = plain.GetStream();
        await stream.WriteAsync("*2\r\n$3\r\nGET\r\n$15\r\n/registry/probe\r\n"u8.ToArray(), cts.Token);
        var answer = new byte[256];
        var read = await stream.ReadAsync(answer, cts.Token);
        Assert.StartsWith("-NOAUTH", System.Text.Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ContainerMode_Data_IsTheDataDirectorysStoreFolderWithAppendOnlyFile()
    {
        var (redis, _) = ContainerModel();

        var mount = Assert.Single(redis.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.BindMount, mount.Type);
        Assert.Equal(Path.Combine(_dataDirectory, "store"), mount.Source);
        Assert.Equal("/data", mount.Target);
        Assert.True(Directory.Exists(mount.Source));

        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, redis, CancellationToken.None)
        {
            ExecutionContext = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run),
        };
        foreach (var callback in redis.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        // What the container runs: its entrypoint, /bin/sh, given "-c" and the arguments joined.
        Assert.Equal("/bin/sh", redis.Entrypoint);
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // Evaluation API: it is how DCP decides to join the arguments.
        Assert.True(redis.ShellExecution);
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
        Assert.Equal("redis-server --appendonly yes --appendfsync always --requirepass $REDIS_PASSWORD --save 60 1", string.Join(' ', args));
    }

    private (RedisResource Redis, ProjectResource ApiServer) ContainerModel()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            AssemblyName = typeof(ClusterOptions).Assembly.GetName().Name,
            DisableDashboard = true,
        });
        // The AppHost generates the password at first start in the data directory and reads it from there after.
        PrivateFiles.Write(Path.Combine(_dataDirectory, StoreResourceExtensions.PasswordFileName), Password);
        var cluster = new ClusterOptions { StoreMode = "container", StorePort = _redis.Port };
        var (store, connection) = builder.AddClusterStore(cluster, _dataDirectory);
        builder.AddControlPlane(cluster, store, connection);
        return (Assert.IsType<RedisResource>(store?.Resource), builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api-server-1"));
    }

    private static async Task<string> EnvironmentValueAsync(ProjectResource resource, string name, CancellationToken cancellationToken) =>
        (await AppHostModel.EnvironmentAsync(resource, cancellationToken))[name] switch
        {
            string text => text,
            IValueProvider provider => await provider.GetValueAsync(cancellationToken) ?? "",
            var other => throw new InvalidOperationException($"{name} is a {other.GetType()}"),
        };
}
