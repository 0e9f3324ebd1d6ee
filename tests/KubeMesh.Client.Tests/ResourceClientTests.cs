using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client.Tests.Fakes;

namespace KubeMesh.Client.Tests;

public sealed class ResourceClientTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private KubeMeshClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = KubeMeshClient.Create(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task CreateGetListDelete_Typed_RoundTripThroughTheServer()
    {
        var pods = _client.For<Pod>();

        var created = await pods.CreateAsync(TestPods.New("a"));
        var got = await pods.GetAsync("default", "a");
        var list = await pods.ListAsync(new ListRequest { Namespace = "default" });
        var deleted = await pods.DeleteAsync("default", "a");

        Assert.Equal("101", created.Metadata.ResourceVersion);
        Assert.Equal(created, got);
        Assert.Equal([created], list.Items);
        Assert.Equal("101", list.ResourceVersion);
        Assert.Equal("a", deleted.Metadata.Name);
        var error = await Assert.ThrowsAsync<RpcException>(() => pods.GetAsync("default", "a"));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ListAsync_Selectors_AreSentToTheServer()
    {
        var pods = _client.For<Pod>();
        await pods.CreateAsync(TestPods.New("a", node: "node1", app: "web"));
        await pods.CreateAsync(TestPods.New("b", node: "node2", app: "web"));
        await pods.CreateAsync(TestPods.New("c", node: "node1", app: "db"));

        var list = await pods.ListAsync(new ListRequest { LabelSelector = "app=web", FieldSelector = "spec.nodeName=node1" });

        Assert.Equal(["a"], list.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task UpdateAsync_StaleResourceVersion_IsAbortedAndRetryOnConflictRecovers()
    {
        var pods = _client.For<Pod>();
        var stale = await pods.CreateAsync(TestPods.New("a"));
        var fresh = stale.Clone();
        fresh.Status.Phase = "Running";
        await pods.UpdateAsync(fresh);

        stale.Spec.NodeName = "node9";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => pods.UpdateAsync(stale));
        Assert.Equal(StatusCode.Aborted, conflict.StatusCode);

        var attempts = 0;
        await RetryOnConflict.RunAsync(async ct =>
        {
            var current = attempts++ == 0 ? stale : await pods.GetAsync("default", "a", ct);
            current.Spec.NodeName = "node9";
            await pods.UpdateAsync(current, ct);
        });

        var stored = await pods.GetAsync("default", "a");
        Assert.Equal(2, attempts);
        Assert.Equal(("node9", "Running"), (stored.Spec.NodeName, stored.Status.Phase));
    }

    [Fact]
    public async Task WatchAsync_Untyped_YieldsTypedEventsFromReflection()
    {
        var pods = _client.For(ResourceKinds.Pod);
        var created = await pods.CreateAsync(TestPods.New("a"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var events = new List<WatchEvent<Google.Protobuf.IMessage>>();
        await foreach (var e in pods.WatchAsync(new WatchRequest { ResourceVersion = "100" }, cts.Token))
        {
            events.Add(e);
            if (events.Count == 1)
            {
                await pods.DeleteAsync(new DeleteRequest { Namespace = "default", Name = "a" }, cts.Token);
            }
            else
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(created, events[0].Object);
        Assert.Equal("a", ((Pod)events[1].Object).Metadata.Name);
    }

    [Fact]
    public async Task WatchAsync_ExpiredResourceVersion_ThrowsOutOfRange()
    {
        await _client.For<Pod>().CreateAsync(TestPods.New("a"));
        _server.Pods.Compact();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in _client.For<Pod>().WatchAsync(new WatchRequest { ResourceVersion = "100" }))
            {
            }
        });
        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _client.For<Pod>().WatchAsync(new WatchRequest { ResourceVersion = "100" }, cts.Token))
            {
            }
        });
    }

    [Fact]
    public async Task UpdateStatusAsync_KindWithoutStatus_IsNotSupported()
    {
        var configMaps = _client.For<ConfigMap>();
        await Assert.ThrowsAsync<NotSupportedException>(() => configMaps.UpdateStatusAsync(new ConfigMap()));
    }

    [Fact]
    public async Task CreateAsync_WrongKind_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.For(ResourceKinds.Pod).CreateAsync(new ConfigMap()));
    }

    [Fact]
    public void For_Type_ResolvesTheKindAndCachesTheClient()
    {
        Assert.Same(ResourceKinds.Deployment, _client.For<Api.Apps.V1.Deployment>().Kind);
        Assert.Same(_client.For(ResourceKinds.Pod), _client.For<Pod>().Untyped);
    }
}
