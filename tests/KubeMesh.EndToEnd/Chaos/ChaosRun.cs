using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd.Chaos;

/// <summary>What a chaos run injects and for how long.</summary>
/// <param name="Targets">Resource names to kill, or "leader:&lt;lease&gt;" for whoever holds that kube-system Lease; none: the
/// same workload without faults, the baseline.</param>
/// <param name="MinimumRounds">Faults (or, for the baseline, scalings) injected at least, however long they take.</param>
public sealed record ChaosOptions(TimeSpan Duration, TimeSpan FaultInterval, IReadOnlyList<string> Targets, string Namespace, int Seed, int MinimumRounds = 1)
{
    /// <summary>Every component a fault may hit, one at a time: either api-server, the store, both leaders, a kubelet, DNS, proxy, ingress.</summary>
    public static IReadOnlyList<string> AllTargets { get; } =
        ["api-server-1", "api-server-2", "store", "leader:kube-scheduler", "leader:kube-controller-manager", "kubelet-node1", "dns", "proxy", "ingress-controller"];
}

/// <summary>What a chaos run saw.</summary>
public sealed record ChaosReport(
    IReadOnlyDictionary<string, int> FaultsByTarget,
    int WritesAcknowledged,
    int WritesFailed,
    IReadOnlyList<string> WritesLost,
    TimeSpan ConvergenceAfterLastFault);

/// <summary>
/// Kills one component at a time with SIGKILL (each waits until the supervisor has started the last one again)
/// while writers create ConfigMaps and a Deployment is scaled; then checks that every write the api-server
/// acknowledged is there and measures how long after the last fault the Deployment is at its desired state.
/// </summary>
public sealed class ChaosRun(DistributedApplication app, KubeMeshClient client, ChaosOptions options, Action<string> log)
{
    private const string DeploymentName = "chaos-web";
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromMinutes(3);
    private readonly ConcurrentBag<string> _acknowledged = [];
    private int _failed;

    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = options.Namespace } }, cancellationToken);
        await client.For<Deployment>().CreateAsync(Deployment(2), cancellationToken);
        await WaitConvergedAsync(2, cancellationToken);

        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => WriteAsync(w, stopWriters.Token), CancellationToken.None)).ToArray();
        var faults = new Dictionary<string, int>();
        var replicas = 2;
        var lastFault = Stopwatch.StartNew();
        var end = Stopwatch.StartNew();
        for (var round = 0; round < options.MinimumRounds || end.Elapsed < options.Duration; round++)
        {
            if (options.Targets.Count == 0)
            {
                // The baseline: the same scaling, no fault.
                lastFault.Restart();
                replicas = replicas == 2 ? 3 : 2;
                await ScaleAsync(replicas, cancellationToken);
                await WaitConvergedAsync(replicas, cancellationToken);
            }
            else
            {
                var target = options.Targets[random.Next(options.Targets.Count)];
                var resource = await ResolveAsync(target, cancellationToken);
                log($"{end.Elapsed:mm\\:ss} kill -9 {resource} ({target})");
                var killed = await ComponentProcess.KillAsync(app, resource, cancellationToken);
                lastFault.Restart();
                faults[target] = faults.GetValueOrDefault(target) + 1;
                replicas = replicas == 2 ? 3 : 2;
                await ScaleAsync(replicas, cancellationToken);
                await ComponentProcess.WaitForRestartAsync(app, resource, killed, cancellationToken);
            }

            await Task.Delay(options.FaultInterval, cancellationToken);
        }

        await WaitConvergedAsync(replicas, cancellationToken);
        var converged = lastFault.Elapsed;
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);

        var present = (await client.For<ConfigMap>().ListAsync(new ListRequest { Namespace = options.Namespace }, cancellationToken)).Items
            .Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var lost = _acknowledged.Where(n => !present.Contains(n)).Order(StringComparer.Ordinal).ToList();
        return new ChaosReport(faults, _acknowledged.Count, _failed, lost, converged);
    }

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

    private Task ScaleAsync(int replicas, CancellationToken cancellationToken) =>
        Eventually.Returns(
            async () =>
            {
                var deployments = client.For<Deployment>();
                var deployment = await deployments.GetAsync(options.Namespace, DeploymentName, cancellationToken);
                deployment.Spec.Replicas = replicas;
                return await deployments.UpdateAsync(deployment, cancellationToken);
            },
            ConvergeTimeout);

    /// <summary>
    /// The Deployment observed its last change and has exactly that many pods, all updated, ready and Running. A call
    /// that fails while a component is away counts as not yet.
    /// </summary>
    private Task WaitConvergedAsync(int replicas, CancellationToken cancellationToken) =>
        Eventually.Until(
            async () => (
                Deployment: await client.For<Deployment>().GetAsync(options.Namespace, DeploymentName, cancellationToken),
                Pods: (await client.For<Pod>().ListAsync(new ListRequest { Namespace = options.Namespace }, cancellationToken)).Items),
            state => state.Deployment.Status is { } s // none until the controller has looked at it
                && s.ObservedGeneration >= state.Deployment.Metadata.Generation
                && s.Replicas == replicas && s.UpdatedReplicas == replicas && s.ReadyReplicas == replicas
                && state.Pods.Count == replicas && state.Pods.All(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running"),
            ConvergeTimeout,
            $"{DeploymentName} has {replicas} updated, ready, Running pods");

    private Deployment Deployment(int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = DeploymentName };
        return new Deployment
        {
            Metadata = new ObjectMeta { Namespace = options.Namespace, Name = DeploymentName },
            Spec = new DeploymentSpec
            {
                Replicas = replicas,
                Selector = new LabelSelector { MatchLabels = { labels } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = { labels } },
                    Spec = new PodSpec { Containers = { new Container { Name = "nginx", Image = "nginx:latest" } } },
                },
            },
        };
    }
}
