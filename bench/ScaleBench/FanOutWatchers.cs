using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// W watches of every pod (what W dashboards, operators or kubectl get -w -A would hold open), each counting the events
/// it receives and timing, for pods of one namespace, the ADDED event from just before the bench's Create call.
/// </summary>
public sealed class FanOutWatchers : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentBag<double> _lagMicroseconds = [];
    private long _events;

    public long Events => Interlocked.Read(ref _events);

    public IReadOnlyCollection<double> AddedLagMicroseconds => _lagMicroseconds;

    public static async Task<FanOutWatchers> StartAsync(KubeMeshClient client, int count, string timedNamespace, PodRecorder recorder)
    {
        var watchers = new FanOutWatchers();
        var list = await client.For<Pod>().ListAsync(new ListRequest());
        for (var i = 0; i < count; i++)
        {
            watchers._loops.Add(Task.Run(() => watchers.WatchAsync(client, list.ResourceVersion, timedNamespace, recorder, watchers._stop.Token)));
        }

        return watchers;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private async Task WatchAsync(KubeMeshClient client, string resourceVersion, string timedNamespace, PodRecorder recorder, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in client.For<Pod>().WatchAsync(new WatchRequest { ResourceVersion = resourceVersion, AllowWatchBookmarks = true }, ct))
                {
                    var now = Stopwatch.GetTimestamp();
                    resourceVersion = e.Object.Metadata.ResourceVersion.Length > 0 ? e.Object.Metadata.ResourceVersion : resourceVersion;
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _events);
                    if (e.Type == WatchEventType.Added && e.Object.Metadata.Namespace == timedNamespace
                        && recorder.Times(timedNamespace, e.Object.Metadata.Name).Created is var created and > 0)
                    {
                        _lagMicroseconds.Add(Stopwatch.GetElapsedTime(created, now).TotalMicroseconds);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(500, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
