using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Selectors;
using KubeMesh.Client.Tests.Fakes;

namespace KubeMesh.Client.Tests;

public sealed class InformerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly InformerOptions FastRetry = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly RecordingHandler _handler = new();
    private FakeApiServer _server = null!;
    private KubeMeshClient _client = null!;
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = KubeMeshClient.Create(_server.Address);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(10));
        _client.Dispose();
        await _server.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task RunAsync_InitialList_FillsCacheAndFiresOneAddPerObject()
    {
        var a = _server.Pods.Create(TestPods.New("a"));
        var b = _server.Pods.Create(TestPods.New("b"));

        var informer = await StartAsync();

        Assert.True(informer.HasSynced);
        Assert.Equal(_server.Pods.Revision.ToString(), informer.LastSyncResourceVersion);
        Assert.Equal(["add default/a@" + Rv(a), "add default/b@" + Rv(b)], _handler.Calls.Order());
        Assert.Equal("a", informer.Lister.Get("default", "a")?.Metadata.Name);
        Assert.Null(informer.Lister.Get("default", "missing"));
    }

    [Fact]
    public async Task RunAsync_LiveChanges_FireAddUpdateDeleteInOrder()
    {
        var a = _server.Pods.Create(TestPods.New("a"));
        var b = _server.Pods.Create(TestPods.New("b"));
        var informer = await StartAsync();
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");
        _handler.Clear();

        var c = _server.Pods.Create(TestPods.New("c"));
        var a2 = a.Clone();
        a2.Status.Phase = "Running";
        a2 = _server.Pods.Update(a2);
        var bGone = _server.Pods.Delete("default", "b");

        await Eventually.Until(() => _handler.Calls.Count == 3, Wait, "three events arrive");
        Assert.Equal(
            ["add default/c@" + Rv(c), $"update default/a@{Rv(a)}->{Rv(a2)}", "delete default/b@" + Rv(bGone)],
            _handler.Calls);
        Assert.Equal("Running", informer.Lister.Get("default", "a")!.Status.Phase);
        Assert.Null(informer.Lister.Get("default", "b"));
        Assert.Equal(Rv(bGone), informer.LastSyncResourceVersion);
        Assert.Equal(1, _server.Pods.ListCalls);
    }

    [Fact]
    public async Task RunAsync_StreamDropped_ResumesFromLastResourceVersionWithoutRelisting()
    {
        _server.Pods.Create(TestPods.New("a"));
        var informer = await StartAsync();
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");
        var lastSeen = informer.LastSyncResourceVersion;
        _handler.Clear();

        // Changes made while no watch is open must arrive through the resumed watch.
        _server.Pods.RejectWatchesWith = StatusCode.Unavailable;
        _server.Pods.EndWatches();
        var b = _server.Pods.Create(TestPods.New("b"));
        var aGone = _server.Pods.Delete("default", "a");
        await Eventually.Until(() => _server.Pods.WatchRequests.Count >= 3, Wait, "the informer retries the refused watch");
        _server.Pods.RejectWatchesWith = null;

        await Eventually.Until(() => _handler.Calls.Count == 2, Wait, "the missed changes arrive");
        Assert.Equal(["add default/b@" + Rv(b), "delete default/a@" + Rv(aGone)], _handler.Calls);
        Assert.All(_server.Pods.WatchRequests.Skip(1), r => Assert.Equal(lastSeen, r.ResourceVersion));
        Assert.Equal(1, _server.Pods.ListCalls);
        Assert.Equal(["default/b"], informer.Lister.ListKeys());
    }

    [Fact]
    public async Task RunAsync_WatchExpired_RelistsAndFiresOnlyTheDifferences()
    {
        var a = _server.Pods.Create(TestPods.New("a"));
        var b = _server.Pods.Create(TestPods.New("b"));
        var c = _server.Pods.Create(TestPods.New("c"));
        var informer = await StartAsync();
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");
        _handler.Clear();

        _server.Pods.RejectWatchesWith = StatusCode.Unavailable;
        _server.Pods.EndWatches();
        var a2 = a.Clone();
        a2.Status.Phase = "Running";
        a2 = _server.Pods.Update(a2);
        _server.Pods.Delete("default", "b");
        var d = _server.Pods.Create(TestPods.New("d"));
        _server.Pods.Compact();
        _server.Pods.RejectWatchesWith = null;

        await Eventually.Until(() => _server.Pods.ListCalls == 2 && _handler.Calls.Count == 3, Wait, "the informer re-lists");
        Assert.Equal(
            [$"update default/a@{Rv(a)}->{Rv(a2)}", "add default/d@" + Rv(d), "delete default/b@" + Rv(b)],
            _handler.Calls);
        Assert.Equal(["default/a", "default/c", "default/d"], informer.Lister.ListKeys().Order());
        Assert.Same(informer.Lister.Get("default", "c"), informer.Lister.Get("default", "c"));
        Assert.Equal(Rv(c), informer.Lister.Get("default", "c")!.Metadata.ResourceVersion);
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches again");
        Assert.Equal(_server.Pods.Revision.ToString(), _server.Pods.WatchRequests[^1].ResourceVersion);
    }

    [Fact]
    public async Task RunAsync_WatchFailsOutOfRangeWithNothingChanged_RelistsSilently()
    {
        _server.Pods.Create(TestPods.New("a"));
        await StartAsync();
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");
        _handler.Clear();

        _server.Pods.EndWatches(new RpcException(new Status(StatusCode.OutOfRange, "too old resource version")));

        await Eventually.Until(() => _server.Pods.ListCalls == 2 && _server.Pods.OpenWatches == 1, Wait, "the informer re-lists and watches");
        Assert.Empty(_handler.Calls);
    }

    [Fact]
    public async Task RunAsync_FieldSelector_CachesOnlyMatchingPods()
    {
        _server.Pods.Create(TestPods.New("mine", node: "node1"));
        _server.Pods.Create(TestPods.New("theirs", node: "node2"));
        var informer = await StartAsync(FastRetry with { FieldSelector = "spec.nodeName=node1" });
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");

        _server.Pods.Create(TestPods.New("mine2", node: "node1"));
        _server.Pods.Create(TestPods.New("theirs2", node: "node2"));

        await Eventually.Until(() => _handler.Calls.Count == 2, Wait, "the matching pod arrives");
        Assert.Equal(["default/mine", "default/mine2"], informer.Lister.ListKeys().Order());
        Assert.Equal("spec.nodeName=node1", _server.Pods.WatchRequests[0].FieldSelector);
    }

    [Fact]
    public void Constructor_UnsupportedFieldSelector_ThrowsFormatException()
    {
        var error = Assert.Throws<FormatException>(() =>
            new Informer<Pod>(_client.For<Pod>(), new InformerOptions { FieldSelector = "spec.hostname=x" }));
        Assert.StartsWith("field label not supported: spec.hostname", error.Message);
    }

    [Fact]
    public async Task AddEventHandler_AfterSync_ReplaysCacheAsAdds()
    {
        var a = _server.Pods.Create(TestPods.New("a"));
        var informer = await StartAsync();
        var late = new RecordingHandler();

        informer.AddEventHandler(late);

        Assert.Equal(["add default/a@" + Rv(a)], late.Calls);
    }

    [Fact]
    public async Task Lister_List_FiltersByNamespaceAndLabels()
    {
        _server.Pods.Create(TestPods.New("web1", @namespace: "shop", app: "web"));
        _server.Pods.Create(TestPods.New("db1", @namespace: "shop", app: "db"));
        _server.Pods.Create(TestPods.New("web2", @namespace: "blog", app: "web"));
        var informer = await StartAsync();

        Assert.Equal(3, informer.Lister.List().Count);
        Assert.Equal(["db1", "web1"], informer.Lister.List("shop").Select(p => p.Metadata.Name).Order());
        Assert.Equal(["web1", "web2"], informer.Lister.List(null, LabelSelectorExpression.Parse("app=web")).Select(p => p.Metadata.Name).Order());
        Assert.Equal(["web2"], informer.Lister.List("blog", LabelSelectorExpression.Parse("app in (web)")).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task SharedInformerFactory_SameOptions_SharesOneInformerAndSyncs()
    {
        _server.Pods.Create(TestPods.New("a"));
        await using var factory = new SharedInformerFactory(_client);
        var first = factory.GetInformer<Pod>(FastRetry);
        var second = factory.GetInformer<Pod>(FastRetry with { });
        var scoped = factory.GetInformer<Pod>(FastRetry with { FieldSelector = "spec.nodeName=node2" });

        factory.Start();
        await factory.WaitForCacheSyncAsync(_stop.Token);

        Assert.Same(first, second);
        Assert.NotSame(first, scoped);
        Assert.Single(first.Lister.List());
        Assert.Empty(scoped.Lister.List());
        Assert.Equal(2, _server.Pods.ListCalls);
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_OtherHandlersAndCacheStillUpdate()
    {
        var informer = new Informer<Pod>(_client.For<Pod>(), FastRetry);
        informer.AddEventHandler(onAdd: _ => throw new InvalidOperationException("broken handler"));
        informer.AddEventHandler(_handler);
        _running = informer.RunAsync(_stop.Token);
        await informer.WaitForCacheSyncAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => _server.Pods.OpenWatches == 1, Wait, "the informer watches");

        var a = _server.Pods.Create(TestPods.New("a"));

        await Eventually.Until(() => _handler.Calls.Count == 1, Wait, "the add arrives");
        Assert.Equal(["add default/a@" + Rv(a)], _handler.Calls);
        Assert.NotNull(informer.Lister.Get("default", "a"));
    }

    [Fact]
    public async Task RunAsync_SecondCall_Throws()
    {
        var informer = await StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => informer.RunAsync(CancellationToken.None));
    }

    private async Task<Informer<Pod>> StartAsync(InformerOptions? options = null)
    {
        var informer = new Informer<Pod>(_client.For<Pod>(), options ?? FastRetry);
        informer.AddEventHandler(_handler);
        _running = informer.RunAsync(_stop.Token);
        await informer.WaitForCacheSyncAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(10));
        return informer;
    }

    private static string Rv(Pod pod) => pod.Metadata.ResourceVersion;
}
