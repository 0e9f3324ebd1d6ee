using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd.Chaos;

/// <summary>What a chaos run injects and for how long.</summary>
/// <param name="Targets">Resource names to kill, or "leader:&lt;lease&gt;" for whoever holds that kube-system Lease; "pause:"
/// before either stops the process with SIGSTOP for <see cref="PauseFor"/> instead, then lets it go on (SIGCONT). None:
/// the same workload without faults, the baseline.</param>
/// <param name="MinimumRounds">Faults (or, for the baseline, scalings) injected at least, however long they take.</param>
/// <param name="InOrder">Take the targets in the order given, round after round, rather than at random.</param>
public sealed record ChaosOptions(TimeSpan Duration, TimeSpan FaultInterval, IReadOnlyList<string> Targets, string Namespace, int Seed, int MinimumRounds = 1, bool InOrder = false)
{
    public const string PausePrefix = "pause:";

    /// <summary>Every component a fault may hit, one at a time: either api-server, the store, both leaders, a kubelet, DNS,
    /// proxy, ingress killed; a leader or a kubelet stopped for longer than its lease.</summary>
    public static IReadOnlyList<string> AllTargets { get; } =
    [
        "api-server-1", "api-server-2", "store", "leader:kube-scheduler", "leader:kube-controller-manager", "kubelet-node1", "dns", "proxy", "ingress-controller",
        "pause:leader:kube-scheduler", "pause:leader:kube-controller-manager", "pause:kubelet-node2",
    ];

    /// <summary>How long a paused process stays stopped: longer than a leader's 15 s lease and a node's grace period.</summary>
    public TimeSpan PauseFor { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>What a chaos run saw.</summary>
/// <param name="Violations">Broken guarantees (must be empty): watch histories out of order, repeated or missing an
/// acknowledged write; more pods than a rollout allows; a pod bound to two nodes; two pods of one StatefulSet ordinal
/// or one Job at once.</param>
public sealed record ChaosReport(
    IReadOnlyDictionary<string, int> FaultsByTarget,
    int WritesAcknowledged,
    int WritesFailed,
    IReadOnlyList<string> WritesLost,
    TimeSpan ConvergenceAfterLastFault,
    IReadOnlyList<string> Violations,
    WatchFigures Watches);

/// <summary>What the run's watchers went through: events, reconnects after faults, re-lists after an expired resourceVersion.</summary>
public sealed record WatchFigures(int Events, int Reconnects, int Relists);
/// <summary>
/// Injects one fault at a time (kill -9, each awaited until the supervisor has started the component again; or SIGSTOP
/// for longer than the component's lease, then SIGCONT) while writers create ConfigMaps and a workload of every kind
/// keeps changing: a Deployment that scales and rolls behind a Service, a StatefulSet, a DaemonSet and a Job per round.
/// Watchers that live through the faults as informers do check the histories they get, and the pods' history is
/// checked for what must never happen. At the end: every acknowledged write is there and was seen by the watch, and
/// the time from the last fault until every workload is at its desired state and the Service's endpoints are right.
/// </summary>
public sealed class ChaosRun(DistributedApplication app, KubeMeshClient client, ChaosOptions options, Action<string> log)
{
    private const string DeploymentName = "chaos-web";
    private const string StatefulSetName = "chaos-db";
    private const string DaemonSetName = "chaos-agent";
    private const int StatefulReplicas = 2;

    // Replicas alternate between 2 and 3 with maxSurge 25% (rounded up to 1): never more than 3 + 1 live pods.
    private const int MaxWebPods = 4;
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromMinutes(3);
    private readonly ConcurrentBag<string> _acknowledged = [];
    private readonly List<string> _violations = [];
    private readonly Dictionary<string, Pod> _livePods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _boundTo = new(StringComparer.Ordinal);
    private readonly List<string> _jobs = [];
    private int _failed;

    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = options.Namespace } }, cancellationToken);
        await using var podHistory = await WatchHistory<Pod>.StartAsync(client, options.Namespace, ObservePod);
        await using var configMapHistory = await WatchHistory<ConfigMap>.StartAsync(client, options.Namespace);
        await CreateWorkloadAsync(cancellationToken);
        await WaitConvergedAsync(2, cancellationToken);

        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => WriteAsync(w, stopWriters.Token), CancellationToken.None)).ToArray();
        var faults = new Dictionary<string, int>();
        var replicas = 2;
        var lastFault = Stopwatch.StartNew();
        var end = Stopwatch.StartNew();
        for (var round = 0; round < options.MinimumRounds || end.Elapsed < options.Duration; round++)
        {
            replicas = replicas == 2 ? 3 : 2;
            if (options.Targets.Count == 0)
            {
                // The baseline: the same changes, no fault.
                lastFault.Restart();
                await ChangeWorkloadAsync(round, replicas, cancellationToken);
                await WaitConvergedAsync(replicas, cancellationToken);
            }
            else
            {
                var target = options.InOrder ? options.Targets[round % options.Targets.Count] : options.Targets[random.Next(options.Targets.Count)];
                var paused = target.StartsWith(ChaosOptions.PausePrefix, StringComparison.Ordinal);
                var resource = await ResolveAsync(paused ? target[ChaosOptions.PausePrefix.Length..] : target, cancellationToken);
                faults[target] = faults.GetValueOrDefault(target) + 1;
                if (paused)
                {
                    log($"{end.Elapsed:mm\\:ss} kill -STOP {resource} ({target}) for {options.PauseFor.TotalSeconds:F0} s");
                    var stopped = ComponentProcess.PauseAsync(app, resource, options.PauseFor, cancellationToken);
                    await ChangeWorkloadAsync(round, replicas, cancellationToken);
                    await stopped;
                    lastFault.Restart();
                }
                else
                {
                    log($"{end.Elapsed:mm\\:ss} kill -9 {resource} ({target})");
                    var killed = await ComponentProcess.KillAsync(app, resource, cancellationToken);
                    lastFault.Restart();
                    await ChangeWorkloadAsync(round, replicas, cancellationToken);
                    await ComponentProcess.WaitForRestartAsync(app, resource, killed, cancellationToken);
                }
            }

            await Task.Delay(options.FaultInterval, cancellationToken);
        }

        await WaitConvergedAsync(replicas, cancellationToken);
        var converged = lastFault.Elapsed;
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);

        var list = await client.For<ConfigMap>().ListAsync(new ListRequest { Namespace = options.Namespace }, cancellationToken);
        var present = list.Items.Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var lost = _acknowledged.Where(n => !present.Contains(n)).Order(StringComparer.Ordinal).ToList();
        await configMapHistory.CaughtUpAsync(list.ResourceVersion, ConvergeTimeout);
        var violations = Violations();
        violations.AddRange(configMapHistory.Violations.Select(v => "configmaps watch: " + v));
        violations.AddRange(podHistory.Violations.Select(v => "pods watch: " + v));
        violations.AddRange(_acknowledged.Where(n => !configMapHistory.Saw(n)).Order(StringComparer.Ordinal).Select(n => $"configmaps watch: never saw acknowledged {n}"));
        var watches = new WatchFigures(
            configMapHistory.Events + podHistory.Events, configMapHistory.Reconnects + podHistory.Reconnects, configMapHistory.Relists + podHistory.Relists);
        return new ChaosReport(faults, _acknowledged.Count, _failed, lost, converged, violations, watches);
    }

    private List<string> Violations()
    {
        lock (_violations)
        {
            return [.. _violations];
        }
    }

    /// <summary>What must never happen, checked on every pod event in the order the api-server made the changes.</summary>
    private void ObservePod(WatchEventType type, Pod pod)
    {
        var name = pod.Metadata.Name;
        lock (_violations)
        {
            if (pod.Spec?.NodeName is { Length: > 0 } node)
            {
                if (_boundTo.TryGetValue(pod.Metadata.Uid, out var before) && before != node)
                {
                    _violations.Add($"pod {name} bound to {before}, then to {node}");
                }

                _boundTo[pod.Metadata.Uid] = node;
            }

            if (type == WatchEventType.Added && _livePods.ContainsKey(name) && name.StartsWith(StatefulSetName + "-", StringComparison.Ordinal))
            {
                _violations.Add($"a second pod of StatefulSet ordinal {name} while the first still existed");
            }

            if (type == WatchEventType.Deleted)
            {
                _livePods.Remove(name);
            }
            else
            {
                _livePods[name] = pod;
            }

            var web = _livePods.Values.Count(p => IsActive(p) && p.Metadata.Labels.GetValueOrDefault("app") == DeploymentName);
            if (web > MaxWebPods)
            {
                _violations.Add($"{web} live pods of {DeploymentName} after {type} {name}, more than {MaxWebPods} (3 replicas + maxSurge 1)");
            }

            foreach (var job in _livePods.Values.Where(IsActive).GroupBy(p => p.Metadata.Labels.GetValueOrDefault("job-name")).Where(g => g.Key is not null && g.Count() > 1))
            {
                _violations.Add($"{job.Count()} active pods of Job {job.Key} (parallelism 1) after {type} {name}");
            }
        }
    }

    private static bool IsActive(Pod pod) => pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private async Task<string> ResolveAsync(string target, CancellationToken cancellationToken)
    {
        if (!target.StartsWith("leader:", StringComparison.Ordinal))
        {
            return target;
        }

        // The holder's identity is its resource name, "_", then a per-process uid; a lease just expired has none yet.
        var lease = await Eventually.Until(
            () => client.For<Lease>().GetAsync("kube-system", target["leader:".Length..], cancellationToken),
            l => !string.IsNullOrEmpty(l.Spec.HolderIdentity), ConvergeTimeout, $"{target} has a holder");
        return lease.Spec.HolderIdentity.Split('_')[0];
    }

    private async Task WriteAsync(int writer, CancellationToken cancellationToken)
    {
        var configMaps = client.For<ConfigMap>();
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            var name = $"w{writer}-{i}";
            try
            {
                await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = options.Namespace, Name = name }, Data = { ["i"] = name } }, cancellationToken);
                _acknowledged.Add(name);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Not acknowledged: the outcome is unknown, so it is neither counted nor checked.
                Interlocked.Increment(ref _failed);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CreateWorkloadAsync(CancellationToken cancellationToken)
    {
        var web = Labels(DeploymentName);
        await client.For<Deployment>().CreateAsync(new Deployment
        {
            Metadata = new ObjectMeta { Namespace = options.Namespace, Name = DeploymentName },
            Spec = new DeploymentSpec { Replicas = 2, Selector = new LabelSelector { MatchLabels = { web } }, Template = Template(web) },
        }, cancellationToken);
        await client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Namespace = options.Namespace, Name = DeploymentName },
            Spec = new ServiceSpec { Selector = { web }, Ports = { new ServicePort { Port = 80, TargetPort = Google.Protobuf.WellKnownTypes.Value.ForNumber(80) } } },
        }, cancellationToken);
        var db = Labels(StatefulSetName);
        await client.For<StatefulSet>().CreateAsync(new StatefulSet
        {
            Metadata = new ObjectMeta { Namespace = options.Namespace, Name = StatefulSetName },
            Spec = new StatefulSetSpec { Replicas = StatefulReplicas, ServiceName = StatefulSetName, Selector = new LabelSelector { MatchLabels = { db } }, Template = Template(db) },
        }, cancellationToken);
        var agent = Labels(DaemonSetName);
        await client.For<DaemonSet>().CreateAsync(new DaemonSet
        {
            Metadata = new ObjectMeta { Namespace = options.Namespace, Name = DaemonSetName },
            Spec = new DaemonSetSpec { Selector = new LabelSelector { MatchLabels = { agent } }, Template = Template(agent) },
        }, cancellationToken);
    }

    /// <summary>Each round: the Deployment scales and, every other round, rolls to a new template; a Job runs.</summary>
    private async Task ChangeWorkloadAsync(int round, int replicas, CancellationToken cancellationToken)
    {
        await Eventually.Returns(
            async () =>
            {
                var deployments = client.For<Deployment>();
                var deployment = await deployments.GetAsync(options.Namespace, DeploymentName, cancellationToken);
                deployment.Spec.Replicas = replicas;
                if (round % 2 == 1)
                {
                    deployment.Spec.Template.Metadata.Annotations["kubemesh.io/chaos-round"] = round.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return await deployments.UpdateAsync(deployment, cancellationToken);
            },
            ConvergeTimeout);
        var name = $"chaos-job-{round}";
        await Eventually.Returns(
            async () =>
            {
                try
                {
                    return await client.For<Job>().CreateAsync(new Job
                    {
                        Metadata = new ObjectMeta { Namespace = options.Namespace, Name = name },
                        Spec = new JobSpec
                        {
                            Template = new PodTemplateSpec
                            {
                                Spec = new PodSpec
                                {
                                    RestartPolicy = "Never",
                                    Containers = { new Container { Name = "job", Image = "busybox", Command = { "sh", "-c", "exit 0" } } },
                                },
                            },
                        },
                    }, cancellationToken);
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.AlreadyExists)
                {
                    // A create whose answer was lost to the fault did happen.
                    return await client.For<Job>().GetAsync(options.Namespace, name, cancellationToken);
                }
            },
            ConvergeTimeout);
        _jobs.Add(name);
    }

    /// <summary>
    /// The Deployment observed its last change and has exactly that many pods, all updated, ready and Running; the
    /// Service's endpoints are exactly those pods; the StatefulSet and the DaemonSet are ready; every Job completed. A
    /// call that fails while a component is away counts as not yet.
    /// </summary>
    private async Task WaitConvergedAsync(int replicas, CancellationToken cancellationToken)
    {
        var explain = "";
        try
        {
            await Eventually.Until(
                async () =>
                {
                    try
                    {
                        explain = await NotConvergedAsync(replicas, cancellationToken) ?? "";
                        return explain.Length == 0;
                    }
                    catch (Grpc.Core.RpcException e) when (e.StatusCode is not Grpc.Core.StatusCode.Cancelled)
                    {
                        explain = e.Status.Detail;
                        return false;
                    }
                },
                ConvergeTimeout,
                "the workload converges");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {explain}", e);
        }
    }

    /// <summary>What is not yet at its desired state, or null when everything is.</summary>
    private async Task<string?> NotConvergedAsync(int replicas, CancellationToken cancellationToken)
    {
        var deployment = await client.For<Deployment>().GetAsync(options.Namespace, DeploymentName, cancellationToken);
        var pods = (await client.For<Pod>().ListAsync(new ListRequest { Namespace = options.Namespace }, cancellationToken)).Items;
        var web = pods.Where(p => p.Metadata.Labels.GetValueOrDefault("app") == DeploymentName).ToList();
        if (deployment.Status is not { } s || s.ObservedGeneration < deployment.Metadata.Generation
            || s.Replicas != replicas || s.UpdatedReplicas != replicas || s.ReadyReplicas != replicas
            || web.Count != replicas || !web.All(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running"))
        {
            return $"{DeploymentName}: {web.Count} pods, status {deployment.Status}";
        }

        var endpoints = (await client.For<Endpoints>().GetAsync(options.Namespace, DeploymentName, cancellationToken)).Subsets
            .SelectMany(subset => subset.Addresses).Select(a => a.Ip).Order(StringComparer.Ordinal);
        var podIps = web.Select(p => p.Status.PodIp).Order(StringComparer.Ordinal);
        if (!endpoints.SequenceEqual(podIps))
        {
            return $"endpoints of {DeploymentName} [{string.Join(", ", endpoints)}] are not its pods [{string.Join(", ", podIps)}]";
        }

        var set = await client.For<StatefulSet>().GetAsync(options.Namespace, StatefulSetName, cancellationToken);
        var ordinals = pods.Where(p => p.Metadata.Labels.GetValueOrDefault("app") == StatefulSetName).ToList();
        if (set.Status?.ReadyReplicas != StatefulReplicas || ordinals.Count != StatefulReplicas || !ordinals.All(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running"))
        {
            return $"{StatefulSetName}: {ordinals.Count} pods, status {set.Status}";
        }

        var daemons = await client.For<DaemonSet>().GetAsync(options.Namespace, DaemonSetName, cancellationToken);
        var nodes = (await client.For<Node>().ListAsync(new ListRequest(), cancellationToken)).Items.Count(n => n.Spec?.Taints.Count is null or 0);
        if (daemons.Status is not { } d || d.DesiredNumberScheduled != nodes || d.NumberReady != nodes)
        {
            return $"{DaemonSetName}: {nodes} untainted nodes, status {daemons.Status}";
        }

        var jobs = (await client.For<Job>().ListAsync(new ListRequest { Namespace = options.Namespace }, cancellationToken)).Items;
        var unfinished = _jobs.Where(name => !jobs.Any(j => j.Metadata.Name == name && j.Status?.Conditions.Any(c => c is { Type: "Complete", Status: "True" }) == true)).ToList();
        return unfinished.Count > 0 ? $"jobs not complete: {string.Join(", ", unfinished)}" : null;
    }

    private static Dictionary<string, string> Labels(string app) => new() { ["app"] = app };

    private static PodTemplateSpec Template(Dictionary<string, string> labels) => new()
    {
        Metadata = new ObjectMeta { Labels = { labels } },
        Spec = new PodSpec { Containers = { new Container { Name = "nginx", Image = "nginx:latest" } } },
    };
}
