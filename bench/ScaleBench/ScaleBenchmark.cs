using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Bench.ApiServer;
using KubeMesh.Client;
using static KubeMesh.Bench.Scale.Figures;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// The scale run, phase by phase, printing as it goes: nodes up and idle, the api-server's own rates (the baseline),
/// the mixed run (Deployments and bare pods), one large Deployment, watch fan-out, and memory per component.
/// </summary>
public sealed class ScaleBenchmark(BenchOptions options, TextWriter o)
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(20);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<Stage> _stages = [];
    private ScaleCluster _cluster = null!;
    private PodRecorder _recorder = null!;
    private KubeMeshClient Client => _cluster.Client;

    public async Task RunAsync()
    {
        o.WriteLine(string.Create(C, $"ScaleBench: {options.Nodes} hollow nodes; mixed run {options.Pods} pods; one Deployment of {options.Deployment}; fan-out {options.Watchers} watchers x {options.FanOutPods} pods; {Environment.ProcessorCount} cores, load {ProcessStats.LoadAverage()}"));
        await using var cluster = _cluster = await ScaleCluster.StartControlPlaneAsync();
        var bare = await StageAsync("control plane, no nodes");
        var started = Stopwatch.GetTimestamp();
        await cluster.StartHollowNodesAsync(options.Nodes);
        o.WriteLine(string.Create(C, $"{options.Nodes} hollow nodes Ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        await LabelNodesAsync();
        await using var recorder = _recorder = await PodRecorder.StartAsync(Client);
        var ready = await StageAsync("nodes Ready");
        await Task.Delay(Idle);
        var idle = await StageAsync($"{options.Nodes} nodes idle");
        PrintIdle(ready, idle);

        var baseline = await BaselineAsync();
        var mixed = await MixedAsync(baseline);
        if (options.Deployment > 0)
        {
            await DeploymentAsync(baseline);
        }

        if (options.Watchers > 0)
        {
            await FanOutAsync();
        }

        PrintMemory(bare, idle, mixed);
    }

    private async Task<Stage> StageAsync(string name)
    {
        var stage = await Stage.TakeAsync(name, _cluster, _http);
        _stages.Add(stage);
        return stage;
    }

    /// <summary>Zones by ordinal and ssd on every other node, for the workloads' nodeSelectors (kubectl label, 1,000 times).</summary>
    private async Task LabelNodesAsync()
    {
        var nodes = Client.For<Node>();
        var list = await nodes.ListAsync(new ListRequest());
        await ForEachAsync(list.Items.Select((n, i) => (n.Metadata.Name, i)), async item =>
            await RetryOnConflict.RunAsync(async ct =>
            {
                var node = await nodes.GetAsync("", item.Name, ct);
                node.Metadata.Labels[Workload.ZoneLabel] = Workload.Zone(item.i % Workload.Zones);
                if (item.i % 2 == 0)
                {
                    node.Metadata.Labels[Workload.DiskLabel] = "ssd";
                }

                await nodes.UpdateAsync(node, ct);
            }));
    }

    private void PrintIdle(Stage from, Stage to)
    {
        var seconds = to.SecondsSince(from);
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== {options.Nodes} nodes idle for {seconds:0} s (heartbeats only), load {to.LoadAverage}"));
        foreach (var verb in to.Api.Verbs)
        {
            var (count, _, p99) = to.Api.Since(from.Api, v => v == verb);
            if (count > 0)
            {
                o.WriteLine(string.Create(C, $"  {verb,-7} {count / seconds,8:0.0} requests/s   p99 {p99 * 1000,8:0.0} ms"));
            }
        }

        foreach (var component in to.Components.Keys)
        {
            o.WriteLine(string.Create(C, $"  {component,-20} {to.CpuSince(from, component) / seconds,6:0.000} CPU-s/s"));
        }
    }

    /// <summary>What the api-server does on its own, with nothing else in the way: the ceiling for scheduler, controllers and kubelets.</summary>
    private async Task<Baseline> BaselineAsync()
    {
        const string ns = "scale-baseline";
        await CreateNamespaceAsync(ns);
        var pods = Client.For<Pod>();
        const int count = 1000;
        var names = Enumerable.Range(0, count).Select(i => $"baseline-{i}").ToArray();
        var from = await StageAsync("baseline start");
        var creates = await RateAsync(names, async name =>
        {
            var pod = Workload.Pod(ns, name, 0);
            pod.Spec.SchedulerName = "scale-bench-unscheduled";
            _recorder.Times(ns, name).MarkCreated(Stopwatch.GetTimestamp());
            await pods.CreateAsync(pod);
        });

        // The store's own write rate for a pod of the size the api-server stores, at the same concurrency.
        var db = _cluster.Store.GetDatabase();
        var payload = (await pods.GetAsync(ns, names[0])).ToByteArray();
        var raw = await Load.OperationsPerSecondAsync(options.Concurrency, TimeSpan.FromSeconds(3), n => db.HashSetAsync("bench/raw-pods", "p" + n, payload));
        await db.KeyDeleteAsync("bench/raw-pods");
        var binds = await RateAsync(names, async name => await Client.Pods.BindAsync(new Binding
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Target = new ObjectReference { Kind = "Node", Name = "ghost-" + name },
        }));
        var deletes = await RateAsync(names, async name => await pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = name, GracePeriodSeconds = 0 }));
        var to = await StageAsync("baseline end");
        var watch = Between(_recorder.In(ns), p => p.Created, p => p.FirstSeen);
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== baseline: the api-server alone, {count} pods at {options.Concurrency} concurrent calls, load {to.LoadAverage}"));
        o.WriteLine(string.Create(C, $"  raw store HSET of a {payload.Length}-byte pod   {raw,8:#,0}/s"));
        o.WriteLine(string.Create(C, $"  pod creates                       {creates,8:#,0}/s   ({Ratio(creates, raw)} of raw store writes)"));
        o.WriteLine(string.Create(C, $"  pods/binding                      {binds,8:#,0}/s"));
        o.WriteLine(string.Create(C, $"  pod deletes                       {deletes,8:#,0}/s"));
        o.WriteLine(string.Create(C, $"  create -> ADDED on a watch        p50 {Ms(watch.P50)} ms, p99 {Ms(watch.P99)} ms"));
        PrintVerbs(from, to);
        return new Baseline(raw, creates, binds, watch);
    }

    private async Task<Stage> MixedAsync(Baseline baseline)
    {
        const string ns = "scale-mixed";
        await CreateNamespaceAsync(ns);
        var perDeployment = options.Pods / 2 / 5;
        var bareCount = options.Pods - (perDeployment * 5);
        var from = await StageAsync("mixed start");
        var started = Stopwatch.GetTimestamp();
        var deployments = Client.For<Deployment>();
        for (var d = 0; d < 5; d++)
        {
            await deployments.CreateAsync(Workload.Deployment(ns, $"web-{d}", perDeployment, Workload.Selector(d switch { 1 => 1, 2 => 2, 3 => 3, _ => 0 })));
        }

        var pods = Client.For<Pod>();
        await ForEachAsync(Enumerable.Range(0, bareCount), async n =>
        {
            var name = $"bare-{n}";
            _recorder.Times(ns, name).MarkCreated(Stopwatch.GetTimestamp());
            await pods.CreateAsync(Workload.Pod(ns, name, n));
        });
        var created = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await _recorder.WaitRunningAsync(ns, options.Pods, options.PhaseTimeout, o);
        var to = await StageAsync("mixed end");
        var timeline = _recorder.In(ns);
        var bound = SustainedRate(timeline.Select(p => p.Bound));
        var scheduling = Between(timeline, p => p.Created, p => p.Bound);
        var running = Between(timeline, p => p.Created, p => p.Running);
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== mixed run: {options.Pods} pods (5 Deployments x {perDeployment}, {bareCount} bare pods created {options.Concurrency} at a time in {created:0.0} s), load {to.LoadAverage}"));
        o.WriteLine(string.Create(C, $"  last bound at {SecondsToLast(started, timeline.Select(p => p.Bound)):0.0} s, last Running at {SecondsToLast(started, timeline.Select(p => p.Running)):0.0} s"));
        o.WriteLine($"  {"figure",-34} {"value",12} {"baseline",28} {"ratio",7}  goal");
        o.WriteLine(string.Create(C, $"  {"pods bound/s, sustained",-34} {N(bound),12} {N(baseline.Binds) + " direct binds/s",28} {Ratio(bound, baseline.Binds),7}  >= 300/s {Verdict(bound >= 300)}"));
        o.WriteLine(string.Create(C, $"  {"create -> bound p50 / p99 ms",-34} {Ms(scheduling.P50) + " / " + Ms(scheduling.P99),12} {Ms(baseline.Watch.P99) + " create->ADDED p99",28} {Ratio(scheduling.P99, baseline.Watch.P99),7}"));
        o.WriteLine(string.Create(C, $"  {"create -> Running p50 / p99 ms",-34} {Ms(running.P50) + " / " + Ms(running.P99),12} {Ms(baseline.Watch.P99) + " create->ADDED p99",28} {Ratio(running.P99, baseline.Watch.P99),7}"));
        PrintRun(from, to, options.Pods);
        return to;
    }

    /// <summary>Throughput per CPU-second of each component, which holds when other work shares the machine.</summary>
    private void PrintPerCpuSecond(Stage from, Stage to, int pods)
    {
        o.WriteLine(string.Create(C, $"  pods per CPU-second: scheduler {N(pods / to.CpuSince(from, "scheduler"))}, api-server {N(pods / to.CpuSince(from, "api-server"))}, controller-manager {N(pods / to.CpuSince(from, "controller-manager"))}, hollow nodes {N(pods / to.CpuSince(from, "hollow-nodes"))}, all {N(pods / to.Components.Keys.Sum(c => to.CpuSince(from, c)))}"));
    }

    private async Task DeploymentAsync(Baseline baseline)
    {
        const string ns = "scale-deployment";
        await CreateNamespaceAsync(ns);
        var from = await StageAsync("deployment start");
        var started = Stopwatch.GetTimestamp();
        await Client.For<Deployment>().CreateAsync(Workload.Deployment(ns, "big", options.Deployment, new Dictionary<string, string>(), "50m", "32Mi"));
        var complete = await _recorder.WaitRunningAsync(ns, options.Deployment, options.PhaseTimeout, o);
        var to = await StageAsync("deployment end");
        var timeline = _recorder.In(ns);
        var allRunning = SecondsToLast(started, timeline.Select(p => p.Running));
        var bound = SustainedRate(timeline.Select(p => p.Bound));
        var created = SustainedRate(timeline.Select(p => p.Created));
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== one Deployment of {options.Deployment} replicas, load {to.LoadAverage}"));
        o.WriteLine(string.Create(C, $"  last created at {SecondsToLast(started, timeline.Select(p => p.Created)):0.0} s, bound {SecondsToLast(started, timeline.Select(p => p.Bound)):0.0} s, Running {allRunning:0.0} s   goal <= 60 s {Verdict(complete && allRunning <= 60)}"));
        o.WriteLine(string.Create(C, $"  pods created/s by the ReplicaSet controller {N(created)} ({Ratio(created, baseline.Creates)} of the bench's own {N(baseline.Creates)}/s); bound/s {N(bound)} ({Ratio(bound, baseline.Binds)} of direct binds)"));
        PrintRun(from, to, options.Deployment);
    }

    private async Task FanOutAsync()
    {
        var alone = await FanOutRoundAsync("scale-fanout-1", null);
        await using var watchers = await FanOutWatchers.StartAsync(Client, options.Watchers, $"scale-fanout-{options.Watchers}", _recorder);
        var fanned = await FanOutRoundAsync($"scale-fanout-{options.Watchers}", watchers);
        var lag = Percentiles.Of([.. watchers.AddedLagMicroseconds]);
        o.WriteLine(string.Create(C, $"  ADDED seen by all {options.Watchers} watchers: create -> ADDED p50 {Ms(lag.P50)} ms, p99 {Ms(lag.P99)} ms ({lag.Count} samples); with one watcher p99 {Ms(alone.Watch.P99)} ms, ratio {Ratio(lag.P99, alone.Watch.P99)}"));
        o.WriteLine(string.Create(C, $"  watch events delivered: {N(fanned.EventsPerSecond)}/s across all watchers ({N(fanned.EventsPerSecond / Math.Max(1, alone.EventsPerSecond), "0.0")}x the run with one watcher); create -> Running p99 {Ms(fanned.Running.P99)} ms vs {Ms(alone.Running.P99)} ms ({Ratio(fanned.Running.P99, alone.Running.P99)})"));
    }

    private async Task<FanOutRound> FanOutRoundAsync(string ns, FanOutWatchers? watchers)
    {
        await CreateNamespaceAsync(ns);
        var from = await StageAsync(ns + " start");
        var pods = Client.For<Pod>();
        await ForEachAsync(Enumerable.Range(0, options.FanOutPods), async n =>
        {
            var name = $"fan-{n}";
            _recorder.Times(ns, name).MarkCreated(Stopwatch.GetTimestamp());
            await pods.CreateAsync(Workload.Pod(ns, name, n));
        });
        await _recorder.WaitRunningAsync(ns, options.FanOutPods, options.PhaseTimeout, o);
        var to = await StageAsync(ns + " end");
        var seconds = to.SecondsSince(from);
        var timeline = _recorder.In(ns);
        var round = new FanOutRound(to.Api.WatchEventsSince(from.Api) / seconds, Between(timeline, p => p.Created, p => p.FirstSeen), Between(timeline, p => p.Created, p => p.Running));
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== fan-out: {options.FanOutPods} pods with {(watchers is null ? "only the bench's own watch" : options.Watchers + " more watches")} of every pod open, load {to.LoadAverage}"));
        o.WriteLine(string.Create(C, $"  {seconds:0.0} s; api-server sent {N(round.EventsPerSecond)} watch events/s; create -> ADDED (bench's watch) p99 {Ms(round.Watch.P99)} ms; create -> Running p99 {Ms(round.Running.P99)} ms"));
        PrintCpu(from, to, options.FanOutPods);
        return round;
    }

    private void PrintRun(Stage from, Stage to, int pods)
    {
        PrintPerCpuSecond(from, to, pods);
        var seconds = to.SecondsSince(from);
        var mutating = to.Api.Since(from.Api, v => v is "POST" or "PUT" or "PATCH" or "DELETE");
        var reads = to.Api.Since(from.Api, v => v is "GET" or "LIST");
        o.WriteLine(string.Create(C, $"  {"mutating calls p99 ms",-34} {N(mutating.P99 * 1000, "0.0"),12} {N(mutating.Count / seconds) + " calls/s",28} {"",7}  <= 1000 {Verdict(mutating.P99 <= 1)}"));
        o.WriteLine(string.Create(C, $"  {"read calls p99 ms",-34} {N(reads.P99 * 1000, "0.0"),12} {N(reads.Count / seconds) + " calls/s",28} {"",7}  <= 1000 {Verdict(reads.P99 <= 1)}"));
        o.WriteLine(string.Create(C, $"  {"watch events sent/s",-34} {N(to.Api.WatchEventsSince(from.Api) / seconds),12}"));
        PrintVerbs(from, to);
        PrintCpu(from, to, pods);
    }

    private void PrintVerbs(Stage from, Stage to)
    {
        var seconds = to.SecondsSince(from);
        o.WriteLine($"    {"verb",-7} {"calls/s",9} {"p50 ms",9} {"p99 ms",9}   (apiserver_request_duration_seconds)");
        foreach (var verb in to.Api.Verbs)
        {
            var (count, p50, p99) = to.Api.Since(from.Api, v => v == verb);
            if (count > 0)
            {
                o.WriteLine(string.Create(C, $"    {verb,-7} {count / seconds,9:0.0} {p50 * 1000,9:0.0} {p99 * 1000,9:0.0}"));
            }
        }
    }

    private void PrintCpu(Stage from, Stage to, int pods)
    {
        var seconds = to.SecondsSince(from);
        o.WriteLine($"    {"component",-20} {"CPU-s",8} {"CPU-s/s",8} {"CPU-ms/pod",11}");
        foreach (var component in to.Components.Keys)
        {
            var cpu = to.CpuSince(from, component);
            o.WriteLine(string.Create(C, $"    {component,-20} {cpu,8:0.0} {cpu / seconds,8:0.00} {cpu * 1000 / pods,11:0.00}"));
        }
    }

    private void PrintMemory(Stage bare, Stage idle, Stage mixed)
    {
        var last = _stages[^1];
        o.WriteLine();
        o.WriteLine(string.Create(C, $"== memory (RSS, MiB), load {last.LoadAverage}"));
        o.WriteLine($"  {"component",-20} {"no nodes",9} {"+nodes",9} {"+mixed",9} {"end",9} {"peak",9} {"/1000 nodes",12} {"/10000 pods",12}");
        foreach (var component in last.Components.Keys)
        {
            var perNodes = (idle.Rss(component) - bare.Rss(component)) * 1000.0 / options.Nodes;
            var perPods = (mixed.Rss(component) - idle.Rss(component)) * 10000.0 / options.Pods;
            o.WriteLine(string.Create(C, $"  {component,-20} {Mib(bare.Rss(component)),9} {Mib(idle.Rss(component)),9} {Mib(mixed.Rss(component)),9} {Mib(last.Rss(component)),9} {Mib(last.Components[component].PeakRssBytes),9} {Mib((long)perNodes),12} {Mib((long)perPods),12}"));
        }

        var total = last.Components.Values.Sum(c => c.RssBytes);
        var peak = last.Components.Values.Sum(c => c.PeakRssBytes);
        o.WriteLine(string.Create(C, $"  {"all components",-20} {Mib(bare.Components.Values.Sum(c => c.RssBytes)),9} {Mib(idle.Components.Values.Sum(c => c.RssBytes)),9} {Mib(mixed.Components.Values.Sum(c => c.RssBytes)),9} {Mib(total),9} {Mib(peak),9}   goal < 4096 {Verdict(peak < 4096L * 1024 * 1024)}"));
        var pods = Client.For<Pod>().ListAsync(new ListRequest()).GetAwaiter().GetResult().Items;
        var encoded = pods.Count == 0 ? 0 : pods.Average(p => p.CalculateSize());
        o.WriteLine(string.Create(C, $"  store: used_memory {Mib(last.Store.UsedMemory)} MiB, {last.Store.Keys} keys; pods hash {N(last.Store.PodsHash / 1048576.0, "#,0.0")} MiB for {pods.Count} pods = {N(last.Store.PodsHash / Math.Max(1.0, pods.Count))} bytes/pod ({N(last.Store.PodsHash / Math.Max(1.0, pods.Count) / encoded, "0.0")}x the {N(encoded)}-byte encoded pod); pods watch log {N(last.Store.PodsLog / 1048576.0, "#,0.0")} MiB"));
    }

    private async Task CreateNamespaceAsync(string name) =>
        await Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });

    private async Task<double> RateAsync(IReadOnlyList<string> names, Func<string, Task> call)
    {
        var clock = Stopwatch.StartNew();
        await ForEachAsync(names, call);
        return names.Count / clock.Elapsed.TotalSeconds;
    }

    private Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> call) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (item, _) => await call(item));

    private sealed record Baseline(double Raw, double Creates, double Binds, Percentiles Watch);

    private sealed record FanOutRound(double EventsPerSecond, Percentiles Watch, Percentiles Running);
}
