using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>Every test gets a namespace of its own, so tests sharing one api-server never see each other's objects.</summary>
public abstract class ApiTestBase(ApiServerFixture fixture) : IAsyncLifetime
{
    protected static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    protected ApiServerFixture Fixture => fixture;

    protected ApiServerHost Api => fixture.Api;

    protected string Ns { get; private set; } = "";

    public async Task InitializeAsync() => Ns = await CreateNamespaceAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    protected async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Api.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } }, deadline: Deadline);
        return name;
    }

    protected static Pod NewPod(string ns, string name, params (string Key, string Value)[] labels)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Spec = new PodSpec { Containers = { new Container { Name = "app", Image = "nginx:1.14.2" } } },
        };
        foreach (var (key, value) in labels)
        {
            pod.Metadata.Labels[key] = value;
        }

        return pod;
    }

    protected static ConfigMap NewConfigMap(string ns, string name, params (string Key, string Value)[] labels)
    {
        var map = new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = name }, Data = { ["key"] = "value" } };
        foreach (var (key, value) in labels)
        {
            map.Metadata.Labels[key] = value;
        }

        return map;
    }

    protected WatchStream<PodWatchEvent> WatchPods(WatchRequest request) => new(Api.Pods.Watch(request));

    protected WatchStream<ConfigMapWatchEvent> WatchConfigMaps(WatchRequest request) => new(Api.ConfigMaps.Watch(request));

    protected static async Task<StatusCode> CodeOfAsync(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        return ex.StatusCode;
    }

    protected static async Task<RpcException> FailureOfAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
