using KubeMesh.Api.Core.V1;
using KubeMesh.Client.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests;

/// <summary>How an informer feeds its handlers: each from its own buffer, failures contained, resyncs per handler.</summary>
public sealed class InformerHandlerTests : FakeApiServerTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly RecordingLogger _logger = new();

    [Fact]
    public async Task RunAsync_HandlerThrows_LogsTheKeyAndKeepsFeedingItAndTheOthers()
    {
        var informer = NewInformer();
        var calls = new List<string>();
        informer.AddEventHandler(onAdd: pod =>
        {
            lock (calls)
            {
                calls.Add(pod.Metadata.Name);
            }

            if (pod.Metadata.Name == "bad")
            {
                throw new InvalidOperationException("broken handler");
            }
        });
        var other = new RecordingHandler();
        informer.AddEventHandler(other);
        await StartAsync(informer);
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");

        Server.Pods.Create(TestPods.New("bad"));
        Server.Pods.Create(TestPods.New("good"));

        await Eventually.Until(() => other.Calls.Count == 2, TimeSpan.FromSeconds(10), "the other handler gets both adds");
        await Eventually.Until(() => Snapshot(calls).Count == 2, TimeSpan.FromSeconds(10), "the throwing handler gets the next add too");
        Assert.Equal(["bad", "good"], Snapshot(calls));
        var error = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.Contains("default/bad", error.Message, StringComparison.Ordinal);
        Assert.Contains("Add", error.Message, StringComparison.Ordinal);
        Assert.NotNull(informer.Lister.Get("default", "bad"));
    }

    [Fact]
    public async Task RunAsync_SlowHandler_DelaysNeitherTheCacheNorTheOtherHandlers()
    {
        using var gate = new SemaphoreSlim(0);
        var informer = NewInformer();
        var slow = new RecordingHandler();
        informer.AddEventHandler(onAdd: pod =>
        {
            gate.Wait(Timeout);
            slow.OnAdd(pod);
        });
        var fast = new RecordingHandler();
        informer.AddEventHandler(fast);
        await StartAsync(informer);
        await Eventually.Until(() => Server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");

        for (var i = 0; i < 20; i++)
        {
            Server.Pods.Create(TestPods.New($"p{i}"));
        }

        await Eventually.Until(() => fast.Calls.Count == 20, TimeSpan.FromSeconds(10), "the fast handler gets every add while the slow one is blocked");
        Assert.Equal(20, informer.Lister.List().Count);
        Assert.Empty(slow.Calls);

        gate.Release(20);

        await Eventually.Until(() => slow.Calls.Count == 20, TimeSpan.FromSeconds(10), "the slow handler catches up");
        Assert.Equal(fast.Calls, slow.Calls);
    }

    [Fact]
    public async Task Registration_HandlerStillOnTheFirstList_IsNotSyncedThoughTheInformerIs()
    {
        Server.Pods.Create(TestPods.New("a"));
        Server.Pods.Create(TestPods.New("b"));
        using var gate = new SemaphoreSlim(0);
        var informer = NewInformer();
        var blocked = informer.AddEventHandler(onAdd: _ => gate.Wait(Timeout));
        var free = informer.AddEventHandler(onAdd: _ => { });

        await StartAsync(informer);
        await free.WaitForSyncAsync(Stop.Token).WaitAsync(Timeout);

        Assert.True(informer.HasSynced);
        Assert.False(blocked.HasSynced);
        gate.Release(2);
        await blocked.WaitForSyncAsync(Stop.Token).WaitAsync(Timeout);
        Assert.True(blocked.HasSynced);
    }

    [Fact]
    public async Task Resync_HandlerWithPeriod_GetsEveryCachedObjectAsAnUpdateToItself()
    {
        var a = Server.Pods.Create(TestPods.New("a"));
        var b = Server.Pods.Create(TestPods.New("b"));
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var informer = NewInformer(clock);
        var resynced = new RecordingHandler();
        var registration = informer.AddEventHandler(resynced, TimeSpan.FromMinutes(1));
        var plain = new RecordingHandler();
        informer.AddEventHandler(plain);
        await StartAsync(informer);
        await registration.WaitForSyncAsync(Stop.Token).WaitAsync(Timeout);
        resynced.Clear();

        clock.Advance(TimeSpan.FromMinutes(1));

        await Eventually.Until(() => resynced.Calls.Count == 2, TimeSpan.FromSeconds(10), "both objects are resent");
        Assert.Equal([$"update default/a@{Rv(a)}->{Rv(a)}", $"update default/b@{Rv(b)}->{Rv(b)}"], resynced.Calls.Order());
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Until(() => resynced.Calls.Count == 4, TimeSpan.FromSeconds(10), "and again a period later");
        Assert.Equal(TimeSpan.FromMinutes(1), registration.ResyncPeriod);
        Assert.Equal(["add default/a@" + Rv(a), "add default/b@" + Rv(b)], plain.Calls.Order());
    }

    [Fact]
    public void AddEventHandler_ResyncShorterThanASecond_UsesOneSecond()
    {
        var informer = NewInformer();

        var registration = informer.AddEventHandler(new RecordingHandler(), TimeSpan.FromMilliseconds(10));

        Assert.Equal(TimeSpan.FromSeconds(1), registration.ResyncPeriod);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("too short", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SharedInformerFactory_WaitForCacheSync_WaitsForEveryHandlerToHaveTheFirstList()
    {
        Server.Pods.Create(TestPods.New("a"));
        using var gate = new SemaphoreSlim(0);
        await using var factory = new SharedInformerFactory(Client);
        var informer = factory.GetInformer<Pod>();
        informer.AddEventHandler(onAdd: _ => gate.Wait(Timeout));
        factory.Start();
        await informer.WaitForSyncAsync(Stop.Token).WaitAsync(Timeout);

        var waiting = factory.WaitForCacheSyncAsync(Stop.Token);

        Assert.False(waiting.IsCompleted);
        gate.Release();
        await waiting.WaitAsync(Timeout);
    }

    private Informer<Pod> NewInformer(TimeProvider? time = null) =>
        new(Client.For<Pod>(), new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(20) }, _logger, time: time);

    private async Task StartAsync(Informer<Pod> informer)
    {
        Running = informer.RunAsync(Stop.Token);
        await informer.WaitForSyncAsync(Stop.Token).WaitAsync(Timeout);
    }

    private static List<string> Snapshot(List<string> calls)
    {
        lock (calls)
        {
            return [.. calls];
        }
    }

    private static string Rv(Pod pod) => pod.Metadata.ResourceVersion;
}
