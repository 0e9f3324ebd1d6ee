using System.Collections.Concurrent;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KubeMesh.ApiServer.Tests.Failover;

/// <summary>
/// Two api-server replicas as processes over one store; clients know both addresses. Each replica in turn is killed
/// with SIGKILL and started again while a writer creates objects, an informer caches them and a raw watch follows them:
/// the writes go on, the watch moves to the other replica and resumes from its last resourceVersion, and neither it
/// nor the informer misses or repeats an event; the informer never re-lists.
/// </summary>
public sealed class ApiServerFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Clients_EachReplicaKilledAndRestarted_RideThroughWithoutMissingOrRepeatingAnEvent()
    {
        var journal = new Journal();
        try
        {
            await RideThroughAsync(journal);
        }
        finally
        {
            // The whole story in the test's output (a trx keeps it for passed runs too): when each step began and ended.
            output.WriteLine(journal.Tail(int.MaxValue));
        }
    }

    private static async Task RideThroughAsync(Journal journal)
    {
        await using var store = new RedisServer { AppendOnly = true };
        await store.StartAsync();
        var prefix = "/failover-" + Guid.NewGuid().ToString("N")[..8];
        using var a = new ApiServerProcess(store.ConnectionString, prefix);
        using var b = new ApiServerProcess(store.ConnectionString, prefix);
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        journal.Note($"both replicas serve: {a.Describe()}, {b.Describe()}");
        using var client = KubeMeshClient.Create($"{a.Address},{b.Address}");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var configMaps = client.For<ConfigMap>();

        var informer = new Informer<ConfigMap>(configMaps, new InformerOptions { Namespace = "default", InitialBackoff = TimeSpan.FromMilliseconds(200) }, journal);
        var informerAdds = new ConcurrentDictionary<string, int>();
        informer.AddEventHandler(onAdd: c => informerAdds.AddOrUpdate(c.Metadata.Name, 1, (_, n) => n + 1));
        var informerRun = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(stop.Token);

        var start = await configMaps.ListAsync(new ListRequest { Namespace = "default" }, stop.Token);
        var history = new ConcurrentQueue<(WatchEventType Type, string Name, long ResourceVersion)>();
        var watcher = Task.Run(() => WatchAsync(configMaps, start.ResourceVersion, history, journal, stop.Token));

        var created = new ConcurrentDictionary<string, bool>();
        var writer = Task.Run(() => WriteAsync(configMaps, created, journal, stopWriting.Token));

        // Each step waits for 40 more creates than there were when it began: the writer outpaces a replica's restart,
        // so counts fixed in advance would be reached before the step's condition (one replica down, or back) held.
        async Task Wait(string what)
        {
            var count = created.Count + 40;
            journal.Note($"waiting for {count} creates {what}");
            await Eventually.Until(
                () => created.Count >= count,
                StepTimeout,
                () => $"{count} creates {what}: {created.Count} so far (writer {writer.Status}); replicas {a.Describe()}, {b.Describe()}\n{journal.Tail(30)}");
        }

        await Wait("with both replicas");
        a.Kill();
        journal.Note("killed the first replica");
        await Wait("with only the second replica");
        await a.StartAsync();
        journal.Note("the first replica serves again");
        await Wait("after the first replica came back");
        b.Kill();
        journal.Note("killed the second replica");
        await Wait("with only the first replica");
        await b.StartAsync();
        journal.Note("the second replica serves again");
        await Wait("after the second replica came back");
        await stopWriting.CancelAsync();
        await writer;
        journal.Note($"{created.Count} created; the watch has {history.Count} events, the informer {informerAdds.Count} adds");
        var list = await configMaps.ListAsync(new ListRequest { Namespace = "default" }, stop.Token);
        var stored = list.Items.ToDictionary(c => c.Metadata.Name, c => c.Metadata.ResourceVersion);
        journal.Note($"stopped writing: {stored.Count} stored at resourceVersion {list.ResourceVersion}");
        await Eventually.Until(
            () => watcher.IsCompleted
                ? throw new InvalidOperationException($"the raw watch ended before it saw every stored object\n{journal.Tail(30)}", watcher.Exception)
                : stored.Keys.All(n => history.Any(e => e.Name == n) && informerAdds.ContainsKey(n)),
            StepTimeout,
            () =>
            {
                var seen = history.Select(e => e.Name).ToHashSet();
                return $"the watch and the informer have seen every one of the {stored.Count} stored objects; " +
                    $"the watch ({watcher.Status}) misses {Missing(stored, seen)}, " +
                    $"the informer ({informerRun.Status}, at resourceVersion {informer.LastSyncResourceVersion}) misses {Missing(stored, informerAdds.Keys)}\n{journal.Tail(40)}";
            });
        journal.Note("the watch and the informer have seen every stored object");
        await stop.CancelAsync();
        await watcher;

        Assert.Subset(stored.Keys.ToHashSet(), created.Keys.ToHashSet());
        var events = history.ToArray();
        var outOfOrder = events.Zip(events.Skip(1)).Where(p => p.Second.ResourceVersion <= p.First.ResourceVersion).ToArray();
        Assert.True(outOfOrder.Length == 0, $"the watch's resourceVersions went back: {string.Join(", ", outOfOrder.Take(5))}\n{journal.Tail(30)}");
        var added = events.Where(e => e.Type == WatchEventType.Added).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(!added.Any(p => p.Value > 1), $"the watch repeated ADDED for {string.Join(", ", added.Where(p => p.Value > 1).Take(10))}\n{journal.Tail(30)}");
        Assert.True(events.All(e => e.Type == WatchEventType.Added), $"the watch saw other events than ADDED: {string.Join(", ", events.Where(e => e.Type != WatchEventType.Added).Take(10))}");

        Assert.True(!informerAdds.Any(p => p.Value > 1), $"the informer repeated an add for {string.Join(", ", informerAdds.Where(p => p.Value > 1).Take(10))}\n{journal.Tail(30)}");
        Assert.Equal(stored.Keys.Order(), informer.Lister.List().Select(c => c.Metadata.Name).Order());
        Assert.True(journal.Lists == 1, $"the informer listed {journal.Lists} times; it should only have resumed its watch\n{journal.Tail(30)}");
        await informerRun.WaitAsync(StepTimeout);
        journal.Note("done");
    }

    /// <summary>The stored objects not in <paramref name="seen"/>, with their resourceVersions, at most ten.</summary>
    private static string Missing(Dictionary<string, string> stored, ICollection<string> seen)
    {
        var missing = stored.Where(p => !seen.Contains(p.Key)).OrderBy(p => long.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return missing.Length == 0 ? "nothing" : $"{missing.Length}: " + string.Join(", ", missing.Take(10).Select(p => $"{p.Key} (rv {p.Value})"));
    }

    /// <summary>Creates cm-0, cm-1, ...; a create that failed is tried again under the same name until it exists.</summary>
    private static async Task WriteAsync(ResourceClient<ConfigMap> configMaps, ConcurrentDictionary<string, bool> created, Journal journal, CancellationToken stop)
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
                    journal.Failure($"create {name}", e);
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
    private static async Task WatchAsync(ResourceClient<ConfigMap> configMaps, string from, ConcurrentQueue<(WatchEventType, string, long)> history, Journal journal, CancellationToken stop)
    {
        var resourceVersion = from;
        while (!stop.IsCancellationRequested)
        {
            journal.Note($"watch from resourceVersion {resourceVersion}");
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
            catch (RpcException e)
            {
                journal.Failure($"watch at resourceVersion {resourceVersion}", e);
                await Task.Delay(100, CancellationToken.None);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // A replica going away must end a watch with an RpcException: a caller takes an OperationCanceledException
                // for its own cancellation and stops watching, as this loop does.
                journal.Note($"the watch ended at resourceVersion {resourceVersion} with {e.GetType().Name} ({e.Message}) though nobody cancelled it");
                throw;
            }
        }
    }

    /// <summary>
    /// What happened, in order, for a failure message: the test's steps, the informer's log (its lists counted), the raw
    /// watch's resumes and the writer's failed calls (the first few of a kind in a row, then a count).
    /// </summary>
    private sealed class Journal : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _lists;
        private string _lastFailure = "";
        private int _repeats;

        public int Lists => _lists;

        public void Note(string line) => _lines.Enqueue($"{_clock.Elapsed.TotalSeconds,7:0.000}s {line}");

        public void Failure(string what, Exception e)
        {
            var kind = e is RpcException rpc ? $"{rpc.StatusCode} ({rpc.Status.Detail})" : $"{e.GetType().Name}: {e.Message}";
            lock (_lines)
            {
                var key = what.Split(' ')[0] + kind;
                _repeats = key == _lastFailure ? _repeats + 1 : 0;
                _lastFailure = key;
                if (_repeats < 3 || _repeats % 50 == 0)
                {
                    Note($"{what} failed: {kind}{(_repeats >= 3 ? $" ({_repeats + 1} in a row)" : "")}");
                }
            }
        }

        public string Tail(int count)
        {
            var lines = _lines.ToArray();
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - count)));
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (message.StartsWith("Listed ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _lists);
            }

            Note($"informer: {message}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
    }
}
