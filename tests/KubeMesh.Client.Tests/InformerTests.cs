using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Selectors;
using KubeMesh.Client.Tests.Fakes;

namespace KubeMesh.Client.Tests;

public sealed class InformerTests : FakeApiServerTest
{
    private readonly RecordingHandler _handler = new();

    [Fact]
    public async Task RunAsync_InitialList_FillsCacheAndFiresOneAddPerObject()
    {
        var a = Server.Pods.Create(TestPods.New("a"));
        var b = Server.Pods.Create(TestPods.New("b"));

        var informer = await StartAsync();

        Assert.True(informer.HasSynced);
        Assert.Equal(Server.Pods.Revision.ToString(), informer.LastSyncResourceVersion);
        Assert.Equal(["add default/a@" + Rv(a), "add default/b@" + Rv(b)], _handler.Calls.Order());
        Assert.Equal("a", informer.Lister.Get("default", "a")?.Metadata.Name);
        Assert.Null(informer.Lister.Get("default", "missing"));
    }

    [Fact]
    public async Task RunAsync_LiveChanges_FireAddUpdateDeleteInOrder()
    {
        var a = Server.Pods.Create(TestPods.New("a"));
        var b = Server.Pods.Create(TestPods.New("b"));
        var informer = await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        _handler.Clear();

        var c = Server.Pods.Create(TestPods.New("c"));
        var a2 = a.Clone();
        a2.Status.Phase = "Running";
        a2 = Server.Pods.Update(a2);
        var bGone = Server.Pods.Delete("default", "b");

        await Eventually.Until(() => _handler.Calls.Count == 3, TimeSpan.FromSeconds(10), "three events arrive");
        Assert.Equal(
            ["add default/c@" + Rv(c), $"update default/a@{Rv(a)}->{Rv(a2)}", "delete default/b@" + Rv(bGone)],
            _handler.Calls);
        Assert.Equal("Running", informer.Lister.Get("default", "a")!.Status.Phase);
        Assert.Null(informer.Lister.Get("default", "b"));
        Assert.Equal(Rv(bGone), informer.LastSyncResourceVersion);
        Assert.Equal(1, Server.Pods.ListCalls);
    }

    [Fact]
    public async Task RunAsync_StreamDropped_ResumesFromLastResourceVersionWithoutRelisting()
    {
        Server.Pods.Create(TestPods.New("a"));
        var informer = await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        var lastSeen = informer.LastSyncResourceVersion;
        _handler.Clear();

        // Changes made while no watch is open must arrive through the resumed watch.
        Server.Pods.RejectWatchesWith = StatusCode.Unavailable;
        Server.Pods.EndWatches();
        var b = Server.Pods.Create(TestPods.New("b"));
        var aGone = Server.Pods.Delete("default", "a");
        await Eventually.Until(() => Server.Pods.WatchRequests.Count >= 3, TimeSpan.FromSeconds(10), "the informer retries the refused watch");
        Server.Pods.RejectWatchesWith = null;

        await Eventually.Until(() => _handler.Calls.Count == 2, TimeSpan.FromSeconds(10), "the missed changes arrive");
        Assert.Equal(["add default/b@" + Rv(b), "delete default/a@" + Rv(aGone)], _handler.Calls);
        Assert.All(Server.Pods.WatchRequests.Skip(1), r => Assert.Equal(lastSeen, r.ResourceVersion));
        Assert.Equal(1, Server.Pods.ListCalls);
        Assert.Equal(["default/b"], informer.Lister.ListKeys());
    }

    [Fact]
    public async Task RunAsync_WatchExpired_RelistsAndFiresOnlyTheDifferences()
    {
        var a = Server.Pods.Create(TestPods.New("a"));
        var b = Server.Pods.Create(TestPods.New("b"));
        var c = Server.Pods.Create(TestPods.New("c"));
        var informer = await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        _handler.Clear();

        Server.Pods.RejectWatchesWith = StatusCode.Unavailable;
        Server.Pods.EndWatches();
        var a2 = a.Clone();
        a2.Status.Phase = "Running";
        a2 = Server.Pods.Update(a2);
        Server.Pods.Delete("default", "b");
        var d = Server.Pods.Create(TestPods.New("d"));
        Server.Pods.Compact();
        Server.Pods.RejectWatchesWith = null;

        await Eventually.Until(() => Server.Pods.ListCalls == 2 && _handler.Calls.Count == 3, TimeSpan.FromSeconds(10), "the informer re-lists");
        Assert.Equal(
            [$"update default/a@{Rv(a)}->{Rv(a2)}", "add default/d@" + Rv(d), "delete default/b@" + Rv(b)],
            _handler.Calls);
        Assert.Equal(["default/a", "default/c", "default/d"], informer.Lister.ListKeys().Order());
        Assert.Same(informer.Lister.Get("default", "c"), informer.Lister.Get("default", "c"));
        Assert.Equal(Rv(c), informer.Lister.Get("default", "c")!.Metadata.ResourceVersion);
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches again");
        Assert.Equal(Server.Pods.Revision.ToString(), Server.Pods.WatchRequests[^1].ResourceVersion);
    }

    [Fact]
    public async Task RunAsync_WatchFailsOutOfRangeWithNothingChanged_RelistsSilently()
    {
        Server.Pods.Create(TestPods.New("a"));
        await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        _handler.Clear();

        Server.Pods.EndWatches(new RpcException(new Status(StatusCode.OutOfRange, "too old resource version")));

        await Eventually.Until(() => Server.Pods.ListCalls == 2 && Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer re-lists and watches");
        Assert.Empty(_handler.Calls);
    }

    [Fact]
    public async Task RunAsync_FieldSelector_CachesOnlyMatchingPods()
    {
        Server.Pods.Create(TestPods.New("mine", node: "node1"));
        Server.Pods.Create(TestPods.New("theirs", node: "node2"));
        var informer = await StartAsync(FastRetry with { FieldSelector = "spec.nodeName=node1" });
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");

        Server.Pods.Create(TestPods.New("mine2", node: "node1"));
        Server.Pods.Create(TestPods.New("theirs2", node: "node2"));

        await Eventually.Until(() => _handler.Calls.Count == 2, TimeSpan.FromSeconds(10), "the matching pod arrives");
        Assert.Equal(["default/mine", "default/mine2"], informer.Lister.ListKeys().Order());
        Assert.Equal("spec.nodeName=node1", Server.Pods.WatchRequests[0].FieldSelector);
    }

    [Fact]
    public void Constructor_UnsupportedFieldSelector_ThrowsFormatException()
    {
        var error = Assert.Throws<FormatException>(() =>
            new Informer<Pod>(Client.For<Pod>(), new InformerOptions { FieldSelector = "spec.hostname=x" }));
        Assert.StartsWith("field label not supported: spec.hostname", error.Message);
    }

    [Fact]
    public async Task AddEventHandler_AfterSync_ReplaysCacheAsAddsBeforeItsRegistrationSyncs()
    {
        var a = Server.Pods.Create(TestPods.New("a"));
        var informer = await StartAsync();
        var late = new RecordingHandler();

        var registration = informer.AddEventHandler(late);
        await registration.WaitForSyncAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["add default/a@" + Rv(a)], late.Calls);
    }

    [Fact]
    public async Task Lister_List_FiltersByNamespaceAndLabels()
    {
        Server.Pods.Create(TestPods.New("web1", @namespace: "shop", app: "web"));
        Server.Pods.Create(TestPods.New("db1", @namespace: "shop", app: "db"));
        Server.Pods.Create(TestPods.New("web2", @namespace: "blog", app: "web"));
        var informer = await StartAsync();

        Assert.Equal(3, informer.Lister.List().Count);
        Assert.Equal(["db1", "web1"], informer.Lister.List("shop").Select(p => p.Metadata.Name).Order());
        Assert.Equal(["web1", "web2"], informer.Lister.List(null, LabelSelectorExpression.Parse("app=web")).Select(p => p.Metadata.Name).Order());
        Assert.Equal(["web2"], informer.Lister.List("blog", LabelSelectorExpression.Parse("app in (web)")).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task SharedInformerFactory_SameOptions_SharesOneInformerAndSyncs()
    {
        Server.Pods.Create(TestPods.New("a"));
        await using var factory = new SharedInformerFactory(Client);
        var first = factory.GetInformer<Pod>(FastRetry);
        var second = factory.GetInformer<Pod>(FastRetry with { });
        var scoped = factory.GetInformer<Pod>(FastRetry with { FieldSelector = "spec.nodeName=node2" });

        factory.Start();
        await factory.WaitForCacheSyncAsync(Stop.Token);

        Assert.Same(first, second);
        Assert.NotSame(first, scoped);
        Assert.Single(first.Lister.List());
        Assert.Empty(scoped.Lister.List());
        Assert.Equal(2, Server.Pods.ListCalls);
    }

    [Fact]
    public async Task RunAsync_SecondCall_Throws()
    {
        var informer = await StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => informer.RunAsync(CancellationToken.None));
    }

    /// <summary>Runs an informer with the recording handler and waits until that handler has been given the first list.</summary>
    [Fact]
    public async Task Indexes_FollowAddsUpdatesAndDeletes_AndListReadsOneNamespace()
    {
        Server.Pods.Create(TestPods.New("a", node: "n1"));
        Server.Pods.Create(TestPods.New("b", node: "n2", @namespace: "other"));
        var informer = await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");

        // An index added to a filled cache covers what is already there.
        informer.Cache.AddIndexer("node", p => [p.Spec.NodeName]);
        Assert.Equal(["a"], informer.Lister.ByIndex("node", "n1").Select(p => p.Metadata.Name));

        var c = Server.Pods.Create(TestPods.New("c", node: "n1", @namespace: "other"));
        var moved = c.Clone();
        moved.Spec.NodeName = "n2";
        Server.Pods.Update(moved);
        Server.Pods.Delete("default", "a");
        await Eventually.Until(() => informer.Lister.Get("default", "a") is null && informer.Lister.Get("other", "c")?.Spec.NodeName == "n2",
            TimeSpan.FromSeconds(10), "the informer sees the changes");

        Assert.Empty(informer.Lister.ByIndex("node", "n1"));
        Assert.Equal(["b", "c"], informer.Lister.ByIndex("node", "n2").Select(p => p.Metadata.Name).Order());
        Assert.Equal(["b", "c"], informer.Lister.List("other").Select(p => p.Metadata.Name).Order());
        Assert.Empty(informer.Lister.List("default"));
        Assert.Equal(["b", "c"], informer.Lister.List().Select(p => p.Metadata.Name).Order());
        Assert.Throws<ArgumentException>(() => informer.Lister.ByIndex("missing", "x"));
    }

    [Fact]
    public async Task CatchUpAsync_WatchUpToDate_ListsAfreshAndTellsTheHandlerNothingNew()
    {
        Server.Pods.Create(TestPods.New("a"));
        var informer = await StartAsync();
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        _handler.Clear();

        await informer.CatchUpAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, Server.Pods.ListCalls);
        Assert.Empty(_handler.Calls);
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches again");
    }

    [Fact]
    public async Task CatchUpAsync_InformerInItsWatchBackoff_ListsAfreshAndItsHandlerHasTheMissedObject()
    {
        Server.Pods.Create(TestPods.New("a"));
        var logger = new RecordingLogger();
        var informer = new Informer<Pod>(Client.For<Pod>(), FastRetry with { InitialBackoff = TimeSpan.FromMinutes(5), MaxBackoff = TimeSpan.FromMinutes(5) }, logger);
        var registration = informer.AddEventHandler(_handler);
        Running = informer.RunAsync(Stop.Token);
        await registration.WaitForSyncAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");

        // The watch fails and any new one would be refused: the informer waits out a five-minute backoff, behind.
        Server.Pods.RejectWatchesWith = StatusCode.Unavailable;
        Server.Pods.EndWatches(new RpcException(new Status(StatusCode.Unavailable, "api-server going away")));
        await Eventually.Until(
            () => logger.Entries.Any(e => e.Message.Contains("reconnecting", StringComparison.Ordinal) && e.Message.Contains(" in 00:05:", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the informer backs off");
        var b = Server.Pods.Create(TestPods.New("b"));

        await informer.CatchUpAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(30));

        // A fresh list, long before the backoff would have ended; the handler has been told by the time it returns.
        Assert.Equal(Rv(b), informer.LastSyncResourceVersion);
        Assert.NotNull(informer.Lister.Get("default", "b"));
        Assert.Equal(2, Server.Pods.ListCalls);
        Assert.Contains("add default/b@" + Rv(b), _handler.Calls);
    }

    private async Task<Informer<Pod>> StartAsync(InformerOptions? options = null)
    {
        var informer = new Informer<Pod>(Client.For<Pod>(), options ?? FastRetry);
        var registration = informer.AddEventHandler(_handler);
        Running = informer.RunAsync(Stop.Token);
        await registration.WaitForSyncAsync(Stop.Token).WaitAsync(TimeSpan.FromSeconds(10));
        return informer;
    }

    private static string Rv(Pod pod) => pod.Metadata.ResourceVersion;
}
