using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// One watch of every pod, opened before anything is created, noting for each pod when it was created (just before
/// the bench's Create call, or its first ADDED event for pods a controller made), bound and seen Running.
/// </summary>
public sealed class PodRecorder : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodTimes> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly KubeMeshClient _client;
    private Task _loop = Task.CompletedTask;
    private long _events;

    private PodRecorder(KubeMeshClient client)
    {
        _client = client;
    }

    public long Events => Interlocked.Read(ref _events);

    public static async Task<PodRecorder> StartAsync(KubeMeshClient client)
    {
        var recorder = new PodRecorder(client);
        var list = await client.For<Pod>().ListAsync(new ListRequest());
        recorder._loop = Task.Run(() => recorder.FollowAsync(list.ResourceVersion, recorder._stop.Token));
        return recorder;
    }

    public PodTimes Times(string @namespace, string name) => _pods.GetOrAdd(@namespace + "/" + name, _ => new PodTimes());

    public IReadOnlyList<PodTimes> In(string @namespace) =>
        [.. _pods.Where(p => p.Key.StartsWith(@namespace + "/", StringComparison.Ordinal)).Select(p => p.Value)];

    /// <summary>Waits until <paramref name="count"/> pods of the namespace have been seen Running.</summary>
    /// <summary>
    /// Waits until <paramref name="count"/> pods of the namespace are Running, or the timeout; false (and a line saying
    /// how far it got) when the timeout came first, so the phase still prints the figures of what did happen.
    /// </summary>
    public async Task<bool> WaitRunningAsync(string @namespace, int count, TimeSpan timeout, TextWriter output)
    {
        var deadline = Stopwatch.StartNew();
        while (In(@namespace).Count(p => p.Running > 0) < count)
        {
            if (deadline.Elapsed > timeout)
            {
                var pods = In(@namespace);
                output.WriteLine($"  TIMEOUT {@namespace}: {pods.Count(p => p.Running > 0)} of {count} pods Running after {timeout.TotalSeconds} s " +
                    $"({pods.Count} seen, {pods.Count(p => p.Bound > 0)} bound); the figures below are of those");
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task FollowAsync(string resourceVersion, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _client.For<Pod>().WatchAsync(new WatchRequest { ResourceVersion = resourceVersion, AllowWatchBookmarks = true }, ct))
                {
                    var now = Stopwatch.GetTimestamp();
                    var pod = e.Object;
                    if (pod.Metadata.ResourceVersion.Length > 0)
                    {
                        resourceVersion = pod.Metadata.ResourceVersion;
                    }

                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _events);
                    var times = Times(pod.Metadata.Namespace, pod.Metadata.Name);
                    times.Seen(now);
                    if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
                    {
                        times.MarkBound(now);
                    }

                    if (pod.Status?.Phase == "Running")
                    {
                        times.MarkRunning(now);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"pod watch ended ({e.StatusCode}: {e.Status.Detail}); resuming from {resourceVersion}");
                await Task.Delay(500, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}

/// <summary>Stopwatch timestamps of one pod's milestones; 0 until seen.</summary>
public sealed class PodTimes
{
    private long _created;
    private long _firstSeen;
    private long _bound;
    private long _running;

    public long Created => Volatile.Read(ref _created);

    public long FirstSeen => Volatile.Read(ref _firstSeen);

    public long Bound => Volatile.Read(ref _bound);

    public long Running => Volatile.Read(ref _running);

    /// <summary>Just before the bench's Create call.</summary>
    public void MarkCreated(long timestamp) => Volatile.Write(ref _created, timestamp);

    /// <summary>The first event of a pod the bench did not create itself stands for its creation.</summary>
    public void Seen(long timestamp)
    {
        Interlocked.CompareExchange(ref _created, timestamp, 0);
        Interlocked.CompareExchange(ref _firstSeen, timestamp, 0);
    }

    public void MarkBound(long timestamp) => Interlocked.CompareExchange(ref _bound, timestamp, 0);

    public void MarkRunning(long timestamp) => Interlocked.CompareExchange(ref _running, timestamp, 0);
}
