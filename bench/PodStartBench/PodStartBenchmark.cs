using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Bench.ApiServer;
using KubeMesh.Client;

namespace KubeMesh.Bench.PodStart;

/// <summary>
/// Pods created on a schedule, each timed from just before its Create call to the watch event that shows it
/// bound to a node and the one that shows it Running. The watch is opened before the first create.
/// </summary>
public sealed class PodStartBenchmark(KubeMeshClient client, string @namespace)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly ConcurrentDictionary<string, PodTimeline> _pods = new();

    public sealed record Result(Percentiles Running, Percentiles Bound, Percentiles BoundToRunning);

    public async Task<Result> MeasureAsync(string prefix, int count, BenchOptions options)
    {
        var pods = client.For<Pod>();
        var list = await pods.ListAsync(new ListRequest { Namespace = @namespace });
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(() => FollowAsync(list.ResourceVersion, stop.Token));
        var timelines = Enumerable.Range(0, count).Select(n => _pods.GetOrAdd($"{prefix}-{n}", _ => new PodTimeline())).ToArray();
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async n =>
            {
                await Pacing.WaitUntilAsync(clock, options.DueAt(n));
                timelines[n].Created = Stopwatch.GetTimestamp();
                await pods.CreateAsync(NewPod($"{prefix}-{n}"));
            }));
            await Task.WhenAll(timelines.Select(t => t.Running.Task)).WaitAsync(Timeout);
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }

        return new Result(
            Percentiles.Of([.. timelines.Select(t => Stopwatch.GetElapsedTime(t.Created, t.Running.Task.Result).TotalMicroseconds)]),
            Percentiles.Of([.. timelines.Select(t => Stopwatch.GetElapsedTime(t.Created, t.Bound.Task.Result).TotalMicroseconds)]),
            Percentiles.Of([.. timelines.Select(t => Stopwatch.GetElapsedTime(t.Bound.Task.Result, t.Running.Task.Result).TotalMicroseconds)]));
    }

    private async Task FollowAsync(string resourceVersion, CancellationToken ct)
    {
        try
        {
            await foreach (var e in client.For<Pod>().WatchAsync(new WatchRequest { Namespace = @namespace, ResourceVersion = resourceVersion }, ct))
            {
                var now = Stopwatch.GetTimestamp();
                if (!_pods.TryGetValue(e.Object.Metadata.Name, out var timeline))
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(e.Object.Spec?.NodeName))
                {
                    timeline.Bound.TrySetResult(now);
                }

                if (e.Object.Status?.Phase == "Running")
                {
                    timeline.Running.TrySetResult(now);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private Pod NewPod(string name) => new()
    {
        Metadata = new ObjectMeta { Namespace = @namespace, Name = name, Labels = { ["app"] = "podstart" } },
        Spec = new PodSpec
        {
            TerminationGracePeriodSeconds = 0,
            Containers = { new Container { Name = "main", Image = Workload.Image, Command = { Workload.Command } } },
        },
    };

    private sealed class PodTimeline
    {
        public long Created { get; set; }

        public TaskCompletionSource<long> Bound { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<long> Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
