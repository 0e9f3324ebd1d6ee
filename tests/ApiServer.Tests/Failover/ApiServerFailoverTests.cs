using System.Collections.Concurrent;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using KubeMesh.Client;
using KubeMesh.Testing;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Tests.Failover;

/// <summary>
/// Two api-server replicas as processes over one store; clients know both addresses. Each replica in turn is killed
/// with SIGKILL and started again while a writer creates objects, an informer caches them and a raw watch follows them:
/// the writes go on, the watch moves to the other replica and resumes from its last resourceVersion, and neither it
/// nor the informer misses or repeats an event; the informer never re-lists.
/// </summary>
public sealed class ApiServerFailoverTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Clients_EachReplicaKilledAndRestarted_RideThroughWithoutMissingOrRepeatingAnEvent()
    {
        await using var store = new RedisServer { AppendOnly = true };
        await store.StartAsync();
        var prefix = "/failover-" + Guid.NewGuid().ToString("N")[..8];
        using var a = new ApiServerProcess(store.ConnectionString, prefix);
        using var b = new ApiServerProcess(store.ConnectionString, prefix);
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        using var client = KubeMeshClient.Create($"{a.Address},{b.Address}");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var configMaps = client.For<ConfigMap>();

        var lists = new ListCounter();
        var informer = new Informer<ConfigMap>(configMaps, new InformerOptions { Namespace = "default", InitialBackoff = TimeSpan.FromMilliseconds(200) }, lists);
        var informerAdds = new ConcurrentDictionary<string, int>();
        informer.AddEventHandler(onAdd: c => informerAdds.AddOrUpdate(c.Metadata.Name, 1, (_, n) => n + 1));
        var informerRun = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);

        var start = await configMaps.ListAsync(new ListRequest { Namespace = "default" }, stop.Token);
        var history = new ConcurrentQueue<(WatchEventType Type, string Name, long ResourceVersion)>();
        var watcher = Task.Run(() => WatchAsync(configMaps, start.ResourceVersion, history, stop.Token));

        var created = new ConcurrentDictionary<string, bool>();
        var writer = Task.Run(() => WriteAsync(configMaps, created, stopWriting.Token));

        async Task Wait(int count, string what) =>
            await Eventually.Until(() => created.Count >= count, StepTimeout, $"{count} creates {what} ({created.Count} so far)");

        await Wait(40, "with both replicas");
        a.Kill();
        await Wait(80, "with only the second replica");
        await a.StartAsync();
        await Wait(120, "after the first replica came back");
        b.Kill();
        await Wait(160, "with only the first replica");
        await b.StartAsync();
        await Wait(200, "after the second replica came back");
        await stopWriting.CancelAsync();
        await writer;
        var stored = (await configMaps.ListAsync(new ListRequest { Namespace = "default" }, stop.Token)).Items.Select(c => c.Metadata.Name).ToHashSet();
        await Eventually.Until(
            () => stored.IsSubsetOf(history.Select(e => e.Name)) && stored.IsSubsetOf(informerAdds.Keys),
            StepTimeout,
            "the watch and the informer have seen every stored object");
        await stop.CancelAsync();
        await watcher;

        Assert.Subset(stored, created.Keys.ToHashSet());
        var events = history.ToArray();
        var outOfOrder = events.Zip(events.Skip(1)).Where(p => p.Second.ResourceVersion <= p.First.ResourceVersion).ToArray();
        Assert.True(outOfOrder.Length == 0, $"resourceVersions went back: {string.Join(", ", outOfOrder.Take(5))}");
        var added = events.Where(e => e.Type == WatchEventType.Added).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Empty(stored.Except(added.Keys));
        Assert.DoesNotContain(added, p => p.Value > 1);
        Assert.All(events, e => Assert.Equal(WatchEventType.Added, e.Type));

        Assert.Empty(stored.Except(informerAdds.Keys));
        Assert.DoesNotContain(informerAdds, p => p.Value > 1);
        Assert.Equal(stored.Order(), informer.Lister.List().Select(c => c.Metadata.Name).Order());
        Assert.Equal(1, lists.Count);
        await informerRun.WaitAsync(StepTimeout);
    }

    /// <summary>Creates cm-0, cm-1, ...; a create that failed is tried again under the same name until it exists.</summary>
    private static async Task WriteAsync(ResourceClient<ConfigMap> configMaps, ConcurrentDictionary<string, bool> created, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var name = $"cm-{i}";
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var call = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    call.CancelAfter(TimeSpan.FromSeconds(10));
                    await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = name } }, call.Token);
                    created[name] = true;
                    break;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
                {
                    created[name] = true;
                    break;
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException && !stop.IsCancellationRequested)
                {
                    await Task.Delay(100, CancellationToken.None);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>A raw watch that, whenever its stream breaks, resumes from the last resourceVersion it saw (events and bookmarks).</summary>
    private static async Task WatchAsync(ResourceClient<ConfigMap> configMaps, string from, ConcurrentQueue<(WatchEventType, string, long)> history, CancellationToken stop)
    {
        var resourceVersion = from;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in configMaps.WatchAsync(new WatchRequest { Namespace = "default", ResourceVersion = resourceVersion, AllowWatchBookmarks = true }, stop))
                {
                    resourceVersion = e.Object.Metadata.ResourceVersion;
                    if (e.Type != WatchEventType.Bookmark)
                    {
                        history.Enqueue((e.Type, e.Object.Metadata.Name, long.Parse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    /// <summary>Counts the informer's lists ("Listed N configmaps at resourceVersion R").</summary>
    private sealed class ListCounter : ILogger
    {
        private int _count;

        public int Count => _count;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Listed ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
