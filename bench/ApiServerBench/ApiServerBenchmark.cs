using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace KubeMesh.Bench.ApiServer;

/// <summary>
/// The api-server against its own store, measured in one run: creates/s beside raw SET/s at the same
/// concurrency, creates/s beside etcd's puts/s of the same bytes at the same concurrency (when etcd is there), and
/// watch delivery latency beside raw PUBLISH-to-receive latency.
/// </summary>
public sealed class ApiServerBenchmark(BenchOptions options, InProcessApiServer api, IConnectionMultiplexer redis, int storePid, EtcdProcess? etcd, string? etcdUnavailable)
{
    private const string Namespace = "bench";
    // Long enough for tiered JIT to finish promoting the hot paths; a 1 s warmup left the first phase at half speed.
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(5);
    private readonly ConfigMapService.ConfigMapServiceClient _configMaps = new(api.Channel);
    private TimeSpan Duration => TimeSpan.FromSeconds(options.Seconds);

    public async Task<BenchResult> RunAsync()
    {
        await new NamespaceService.NamespaceServiceClient(api.Channel).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });
        var payload = NewConfigMap("payload-size-reference").ToByteArray();

        var loadBefore = LoadAverage.Read();
        await CreatesPerSecondAsync("warm", Warmup);
        var cpu = new CpuClock(storePid);
        var creates = await CreatesPerSecondAsync("cm", Duration);
        var createCpu = cpu.MicrosecondsPer(creates * Duration.TotalSeconds);
        var etcdBaseline = await EtcdPutsAsync(payload);
        var db = redis.GetDatabase();
        await Load.OperationsPerSecondAsync(options.Concurrency, Warmup, n => db.StringSetAsync($"bench/warm/{n}", payload));
        var sets = await Load.OperationsPerSecondAsync(options.Concurrency, Duration, n => db.StringSetAsync($"bench/set/{n}", payload));

        // The same create, one layer lower each time: registry (no gRPC), store (no registry), raw script.
        var registry = api.Services.GetRequiredService<ResourceRegistry>();
        var registryCreates = await Load.OperationsPerSecondAsync(options.Concurrency, Duration, n => registry.CreateAsync(ResourceKinds.ConfigMap, NewConfigMap($"reg-{n}")));
        var store = api.Services.GetRequiredService<ObjectStore>();
        var storeCreates = await Load.OperationsPerSecondAsync(options.Concurrency, Duration, n => store.CreateAsync(ResourceKinds.ConfigMap, $"{Namespace}/store-{n}", payload));
        var layers = new[] { ("gRPC Create", creates), ("ResourceRegistry.CreateAsync", registryCreates), ("ObjectStore.CreateAsync", storeCreates), ("raw SET", sets) };

        var watch = await WatchLatencyAsync();
        var fanOut = options.Watchers > 0 ? await WatchFanOutAsync() : null;
        var etcdWatch = etcd is null ? null : await EtcdWatchLatencyAsync(etcd, ByteString.CopyFrom(payload));
        var pubsub = await PubSubLatencyAsync();
        var get = await Load.LatencyAsync(Duration / 2, 5000, async i =>
        {
            var start = Stopwatch.GetTimestamp();
            await _configMaps.GetAsync(new GetRequest { Namespace = Namespace, Name = $"cm-{i % 100}" });
            return Stopwatch.GetElapsedTime(start);
        });
        var hget = await Load.LatencyAsync(Duration / 2, 5000, async i =>
        {
            var start = Stopwatch.GetTimestamp();
            await db.HashGetAsync("/registry/configmaps", $"{Namespace}/cm-{i % 100}");
            return Stopwatch.GetElapsedTime(start);
        });
        return new BenchResult(options, creates, createCpu, sets, watch.Delivery, watch.Create, pubsub, get, hget, payload.Length, layers, etcdBaseline with { WatchDelivery = etcdWatch },
            loadBefore, LoadAverage.Read()) { FanOut = fanOut };
    }

    /// <summary>etcd Put/s of the create's own bytes under fresh keys, the same callers over one HTTP/2 connection.</summary>
    private async Task<EtcdBaseline> EtcdPutsAsync(byte[] payload)
    {
        if (etcd is null)
        {
            return new EtcdBaseline(null, null, etcdUnavailable ?? "etcd not started", null);
        }

        var value = ByteString.CopyFrom(payload);
        await Load.OperationsPerSecondAsync(options.Concurrency, Warmup, n => etcd.PutAsync($"/registry/configmaps/{Namespace}/warm-{n}", value));
        var cpu = new CpuClock(etcd.Pid);
        var puts = await Load.OperationsPerSecondAsync(options.Concurrency, Duration, n => etcd.PutAsync($"/registry/configmaps/{Namespace}/cm-{n}", value));
        return new EtcdBaseline(puts, EtcdProcess.Version, null, null) { CpuPerPut = cpu.MicrosecondsPer(puts * Duration.TotalSeconds) };
    }

    private Task<double> CreatesPerSecondAsync(string prefix, TimeSpan duration) =>
        Load.OperationsPerSecondAsync(options.Concurrency, duration, n => _configMaps.CreateAsync(NewConfigMap($"{prefix}-{n}")).ResponseAsync);

    /// <summary>
    /// Creates at full concurrency while <see cref="BenchOptions.Watchers"/> watches of their namespace are open: watch
    /// events delivered per second over all watchers, and CPU per delivered event (server and the watchers' reads).
    /// </summary>
    private async Task<FanOut> WatchFanOutAsync()
    {
        const string ns = "bench-fanout";
        await new NamespaceService.NamespaceServiceClient(api.Channel).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        var list = await _configMaps.ListAsync(new ListRequest { Namespace = ns });
        using var stop = new CancellationTokenSource();
        long delivered = 0;
        var calls = Enumerable.Range(0, options.Watchers)
            .Select(_ => _configMaps.Watch(new WatchRequest { Namespace = ns, ResourceVersion = list.Metadata.ResourceVersion }, cancellationToken: stop.Token))
            .ToList();
        var readers = calls.Select(call => Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    Interlocked.Increment(ref delivered);
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
            }
        })).ToList();

        async Task UntilDeliveredAsync(long count)
        {
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref delivered) < count)
            {
                if (deadline.Elapsed > Duration * 4)
                {
                    throw new TimeoutException($"{options.Watchers} watchers received {Interlocked.Read(ref delivered)} of {count} events");
                }

                await Task.Delay(10);
            }
        }

        await _configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "opened" } });
        await UntilDeliveredAsync(options.Watchers);
        var cpu = new CpuClock(storePid);
        var clock = Stopwatch.StartNew();
        long created = 0;
        await Load.OperationsPerSecondAsync(options.Concurrency, Duration, async n =>
        {
            await _configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = $"fan-{n}" }, Data = { ["key"] = "value" } });
            Interlocked.Increment(ref created);
        });
        await UntilDeliveredAsync(options.Watchers * (created + 1));
        var seconds = clock.Elapsed.TotalSeconds;
        var events = options.Watchers * (double)created;
        var result = new FanOut(options.Watchers, created / seconds, events / seconds, cpu.MicrosecondsPer(events));
        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(EventTimeout);
        calls.ForEach(c => c.Dispose());
        return result;
    }

    /// <summary>From just before Create is called to the ADDED event arriving on a Watch opened beforehand.</summary>
    private async Task<(Percentiles Delivery, Percentiles Create)> WatchLatencyAsync()
    {
        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
        var list = await _configMaps.ListAsync(new ListRequest { Namespace = Namespace, LabelSelector = "bench=watch" });
        using var stop = new CancellationTokenSource();
        using var call = _configMaps.Watch(new WatchRequest { Namespace = Namespace, ResourceVersion = list.Metadata.ResourceVersion }, cancellationToken: stop.Token);
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    var now = Stopwatch.GetTimestamp();
                    if (arrivals.TryGetValue(call.ResponseStream.Current.Object.Metadata.Name, out var arrival))
                    {
                        arrival.TrySetResult(now);
                    }
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
            }
        });

        var creates = new List<double>();
        var delivery = await Load.LatencyAsync(Duration + Warmup, 20_000, async i =>
        {
            var name = $"watch-{i}";
            var arrival = arrivals.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            var start = Stopwatch.GetTimestamp();
            await _configMaps.CreateAsync(NewConfigMap(name, watched: true));
            creates.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            var arrived = await arrival.Task.WaitAsync(EventTimeout);
            arrivals.TryRemove(name, out _);
            return Stopwatch.GetElapsedTime(start, arrived);
        });
        await stop.CancelAsync();
        await reader.WaitAsync(EventTimeout);
        return (delivery, Percentiles.Of(creates));
    }

    /// <summary>From just before an etcd Put of the same bytes to its PUT event on a Watch of the prefix created beforehand.</summary>
    private async Task<Percentiles> EtcdWatchLatencyAsync(EtcdProcess etcd, ByteString value)
    {
        const string prefix = $"/registry/configmaps/{Namespace}/watch-";
        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
        using var stop = new CancellationTokenSource();
        using var call = etcd.Watch.Watch(cancellationToken: stop.Token);
        await call.RequestStream.WriteAsync(new Etcd.WatchRequest
        {
            CreateRequest = new Etcd.WatchCreateRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(prefix[..^1] + (char)(prefix[^1] + 1)) },
        });
        if (!await call.ResponseStream.MoveNext(stop.Token) || !call.ResponseStream.Current.Created)
        {
            throw new InvalidOperationException("etcd did not create the watch");
        }

        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var change in call.ResponseStream.Current.Events)
                    {
                        if (arrivals.TryGetValue(change.Kv.Key.ToStringUtf8(), out var arrival))
                        {
                            arrival.TrySetResult(now);
                        }
                    }
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
            {
            }
        });

        var delivery = await Load.LatencyAsync(Duration + Warmup, 20_000, async i =>
        {
            var key = prefix + i;
            var arrival = arrivals.GetOrAdd(key, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            var start = Stopwatch.GetTimestamp();
            await etcd.PutAsync(key, value);
            var arrived = await arrival.Task.WaitAsync(EventTimeout);
            arrivals.TryRemove(key, out _);
            return Stopwatch.GetElapsedTime(start, arrived);
        });
        await stop.CancelAsync();
        await reader.WaitAsync(EventTimeout);
        return delivery;
    }

    /// <summary>Raw PUBLISH to the subscriber's callback on the same store, one message in flight.</summary>
    private async Task<Percentiles> PubSubLatencyAsync()
    {
        var subscriber = redis.GetSubscriber();
        var channel = RedisChannel.Literal("bench/pubsub");
        TaskCompletionSource<long>? pending = null;
        await subscriber.SubscribeAsync(channel, (_, _) => Volatile.Read(ref pending)?.TrySetResult(Stopwatch.GetTimestamp()));
        try
        {
            return await Load.LatencyAsync(Duration + Warmup, 20_000, async i =>
            {
                var arrival = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref pending, arrival);
                var start = Stopwatch.GetTimestamp();
                await subscriber.PublishAsync(channel, i);
                return Stopwatch.GetElapsedTime(start, await arrival.Task.WaitAsync(EventTimeout));
            });
        }
        finally
        {
            await subscriber.UnsubscribeAsync(channel);
        }
    }

    private static ConfigMap NewConfigMap(string name, bool watched = false) => new()
    {
        Metadata = new ObjectMeta
        {
            Namespace = Namespace,
            Name = name,
            Labels = { ["app"] = "bench", ["tier"] = "load", ["bench"] = watched ? "watch" : "create" },
        },
        Data = { ["config.yaml"] = "log-level: info\nworkers: 4\nlisten: 0.0.0.0:8080\n" },
    };
}
