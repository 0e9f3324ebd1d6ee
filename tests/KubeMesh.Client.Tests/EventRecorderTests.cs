using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client.Tests.Fakes;

namespace KubeMesh.Client.Tests;

public sealed class EventRecorderTests : IAsyncLifetime
{
    private static readonly EventSource Scheduler = new() { Component = "default-scheduler", Host = "host1" };
    private readonly Pod _pod = new() { Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = "uid-1", ResourceVersion = "7" } };
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
    public async Task RecordAsync_FirstEvent_CreatesEventAboutTheObject()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client.For<Event>(), Scheduler, timeProvider: time);

        var ev = await recorder.RecordAsync(_pod, EventTypes.Normal, "Scheduled", "Successfully assigned shop/web to node1");

        Assert.NotNull(ev);
        var nanos = (time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        Assert.Equal($"web.{nanos:x}", ev.Metadata.Name);
        Assert.Equal("shop", ev.Metadata.Namespace);
        Assert.Equal(new ObjectReference { Kind = "Pod", ApiVersion = "v1", Namespace = "shop", Name = "web", Uid = "uid-1", ResourceVersion = "7" }, ev.InvolvedObject);
        Assert.Equal(("Scheduled", "Normal", 1), (ev.Reason, ev.Type, ev.Count));
        Assert.Equal(Scheduler, ev.Source);
        Assert.Equal(ev.FirstTimestamp, ev.LastTimestamp);
        Assert.True(_server.Events.Items.ContainsKey("shop/" + ev.Metadata.Name));
    }

    [Fact]
    public async Task RecordAsync_Repeat_IncrementsCountAndLastTimestamp()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_client.For<Event>(), Scheduler, timeProvider: time);

        var first = await recorder.RecordAsync(_pod, EventTypes.Warning, "FailedScheduling", "0/3 nodes are available");
        time.Advance(TimeSpan.FromSeconds(30));
        await recorder.RecordAsync(_pod, EventTypes.Warning, "FailedScheduling", "0/3 nodes are available");
        time.Advance(TimeSpan.FromSeconds(30));
        var third = await recorder.RecordAsync(_pod, EventTypes.Warning, "FailedScheduling", "0/3 nodes are available");
        var other = await recorder.RecordAsync(_pod, EventTypes.Warning, "FailedScheduling", "0/4 nodes are available");

        Assert.Equal(first!.Metadata.Name, third!.Metadata.Name);
        Assert.Equal(3, third.Count);
        Assert.Equal(first.FirstTimestamp, third.FirstTimestamp);
        Assert.Equal(first.LastTimestamp.ToDateTimeOffset().AddSeconds(60), third.LastTimestamp.ToDateTimeOffset());
        Assert.NotEqual(first.Metadata.Name, other!.Metadata.Name);
        Assert.Equal(1, other.Count);
        Assert.Equal(["create", "update", "update", "create"], _server.Events.Writes.Select(w => w.Split(' ')[0]));
    }

    [Fact]
    public async Task RecordAsync_RepeatOfDeletedEvent_CreatesItAgain()
    {
        var recorder = new EventRecorder(_client.For<Event>(), Scheduler);
        var first = await recorder.RecordAsync(_pod, EventTypes.Normal, "Pulled", "image pulled");
        _server.Events.Items.Clear();

        var again = await recorder.RecordAsync(_pod, EventTypes.Normal, "Pulled", "image pulled");

        Assert.NotNull(again);
        Assert.Equal(1, again.Count);
        Assert.Single(_server.Events.Items);
        Assert.NotNull(first);
    }

    [Fact]
    public async Task RecordAsync_InvalidType_WritesNothing()
    {
        var recorder = new EventRecorder(_client.For<Event>(), Scheduler);
        Assert.Null(await recorder.RecordAsync(_pod, "Info", "Reason", "message"));
        Assert.Empty(_server.Events.Writes);
    }

    [Fact]
    public async Task RecordAsync_ClusterScopedObject_GoesToDefaultNamespace()
    {
        var recorder = new EventRecorder(_client.For<Event>(), new EventSource { Component = "kubelet", Host = "node1" });
        var ev = await recorder.RecordAsync(new Node { Metadata = new ObjectMeta { Name = "node1" } }, EventTypes.Normal, "NodeReady", "Node node1 status is now: NodeReady");
        Assert.Equal("default", ev!.Metadata.Namespace);
        Assert.Equal(("Node", ""), (ev.InvolvedObject.Kind, ev.InvolvedObject.Namespace));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
