using System.Threading.Channels;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests;

/// <summary>The single-key "rebuild on change" loop, on a fake clock: each rebuild reports itself on a channel.</summary>
public sealed class RebuildReconcilerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private readonly RecordingLogger _logger = new();
    private readonly Channel<DateTimeOffset> _rebuilt = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(Timeout);
        _stop.Dispose();
    }

    [Fact]
    public async Task RunAsync_RebuildThrows_LogsRetriesWithBackOffAndKeepsRunning()
    {
        var attempts = 0;
        using var reconciler = Start(new RebuildReconcilerOptions { InitialRetryDelay = TimeSpan.FromSeconds(1) }, () =>
        {
            if (++attempts <= 2)
            {
                throw new InvalidOperationException("broken build " + attempts);
            }

            return true;
        });

        var first = await NextRebuildAsync();
        await FinishedAsync(reconciler, 1);
        Assert.Equal(1, reconciler.ConsecutiveFailures);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(first.AddSeconds(1), await NextRebuildAsync());
        await FinishedAsync(reconciler, 2);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(first.AddSeconds(3), await NextRebuildAsync());

        await reconciler.WaitForFirstSuccessAsync(_stop.Token).WaitAsync(Timeout);
        await FinishedAsync(reconciler, 3);
        Assert.Equal(0, reconciler.ConsecutiveFailures);
        Assert.False(_running.IsCompleted);
        var errors = _logger.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.Equal(["broken build 1", "broken build 2"], errors.Select(e => e.Exception!.Message));
        Assert.Contains("2 in a row", errors[1].Message, StringComparison.Ordinal);

        reconciler.Request();
        Assert.Equal(_clock.GetUtcNow(), await NextRebuildAsync());
    }

    [Fact]
    public async Task RunAsync_RebuildLeavesWorkUndone_RetriesWithBackOffUntilComplete()
    {
        var results = new Queue<bool>([false, false, true]);
        using var reconciler = Start(new RebuildReconcilerOptions { InitialRetryDelay = TimeSpan.FromMilliseconds(500) }, () => results.Dequeue());
        var first = await NextRebuildAsync();
        await FinishedAsync(reconciler, 1);

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(first.AddMilliseconds(500), await NextRebuildAsync());
        await FinishedAsync(reconciler, 2);
        _clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(first.AddMilliseconds(1500), await NextRebuildAsync());

        await reconciler.WaitForFirstSuccessAsync(_stop.Token).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Request_BurstOfChanges_IsOneRebuildAfterTheDelay()
    {
        using var reconciler = Start(new RebuildReconcilerOptions { Delay = TimeSpan.FromMilliseconds(100) }, () => true);
        await NextRebuildAsync();
        await FinishedAsync(reconciler, 1);

        for (var i = 0; i < 50; i++)
        {
            reconciler.Request();
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(100), await NextRebuildAsync());
        await FinishedAsync(reconciler, 2);
        _clock.Advance(TimeSpan.FromHours(1));
        reconciler.Request();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(_clock.GetUtcNow(), await NextRebuildAsync());
        await FinishedAsync(reconciler, 3);
    }

    [Fact]
    public async Task Request_SoonAfterARebuild_WaitsOutTheMinimumInterval()
    {
        using var reconciler = Start(new RebuildReconcilerOptions { MinInterval = TimeSpan.FromSeconds(1) }, () => true);
        var first = await NextRebuildAsync();
        await FinishedAsync(reconciler, 1);

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        reconciler.Request();
        _clock.Advance(TimeSpan.FromMilliseconds(699));
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(first.AddSeconds(1), await NextRebuildAsync());
    }

    [Fact]
    public async Task RunAsync_ResyncPeriod_RebuildsWithoutChanges()
    {
        using var reconciler = Start(new RebuildReconcilerOptions { ResyncPeriod = TimeSpan.FromSeconds(30) }, () => true);
        var first = await NextRebuildAsync();
        await FinishedAsync(reconciler, 1);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(first.AddSeconds(30), await NextRebuildAsync());
        await FinishedAsync(reconciler, 2);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(first.AddSeconds(60), await NextRebuildAsync());
    }

    [Fact]
    public async Task Watch_InformerChange_RequestsARebuildAfterTheFirstList()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = KubeMeshClient.Create(server.Address);
        server.Pods.Create(TestPods.New("a"));
        var informer = new Informer<Pod>(client.For<Pod>());
        using var reconciler = new RebuildReconciler("pods", _ =>
        {
            _rebuilt.Writer.TryWrite(DateTimeOffset.UtcNow);
            return Task.FromResult(informer.Lister.List().Count > 0);
        }, logger: _logger);
        reconciler.Watch(informer, pod => pod.Metadata.Name != "ignored");
        var informing = informer.RunAsync(_stop.Token);
        _running = Task.WhenAll(informing, reconciler.RunAsync(_stop.Token));

        await reconciler.WaitForFirstSuccessAsync(_stop.Token).WaitAsync(Timeout);
        await NextRebuildAsync();
        await Eventually.Until(() => server.Pods.OpenWatches == 1, TimeSpan.FromSeconds(10), "the informer watches");
        server.Pods.Create(TestPods.New("ignored"));
        server.Pods.Create(TestPods.New("b"));

        await NextRebuildAsync();
        Assert.Equal(3, informer.Lister.List().Count);
    }

    private RebuildReconciler Start(RebuildReconcilerOptions options, Func<bool> rebuild)
    {
        var reconciler = new RebuildReconciler("test", _ =>
        {
            _rebuilt.Writer.TryWrite(_clock.GetUtcNow());
            return Task.FromResult(rebuild());
        }, options, _logger, _clock);
        _running = reconciler.RunAsync(_stop.Token);
        return reconciler;
    }

    /// <summary>Waits until the reconciler has handled a rebuild's outcome (scheduled its retry or resync), before the clock moves.</summary>
    private static Task FinishedAsync(RebuildReconciler reconciler, long rebuilds) =>
        Eventually.Until(() => reconciler.Rebuilds == rebuilds, TimeSpan.FromSeconds(10), $"rebuild {rebuilds} is handled");

    private async Task<DateTimeOffset> NextRebuildAsync() => await _rebuilt.Reader.ReadAsync(_stop.Token).AsTask().WaitAsync(Timeout);
}
