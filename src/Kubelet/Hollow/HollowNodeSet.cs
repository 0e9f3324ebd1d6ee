using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMesh.Client.Credentials;
using KubeMesh.Kubelet.Runtime.Hollow;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KubeMesh.Kubelet.Hollow;

/// <summary>
/// Runs this process's hollow nodes (kubemark's hollow-node pods, many to a process): node n gets the name
/// NamePrefix + n, the n-th /24 of the hollow pod network, its own state directory, and the hollow labels and taint.
/// Nodes start at StartRate per second, so registrations and heartbeats spread out as on a cluster whose nodes
/// came up over time. Ready once every node has started its agents.
/// </summary>
public sealed class HollowNodeSet(
    KubeletOptions template, HollowNodeOptions hollow, IServiceProvider services, TimeProvider time, ILogger<HollowNodeSet> logger)
    : BackgroundService, IHealthCheck
{
    private readonly ConcurrentDictionary<string, HollowNode> _nodes = new(StringComparer.Ordinal);
    private readonly HollowRuntimeOptions _runtime = new() { StartDelay = hollow.StartDelay, CompletionDelay = hollow.CompletionDelay };
    private volatile bool _allStarted;

    public IReadOnlyCollection<HollowNode> Nodes => [.. _nodes.Values];

    public HollowNode? Find(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>The options node <paramref name="index"/> runs with: the process's Kubelet settings, made its own.</summary>
    public KubeletOptions OptionsFor(int index)
    {
        var name = hollow.NodeName(index);
        return new KubeletOptions
        {
            NodeName = name,
            NodeIndex = index,
            Port = template.Port,
            PodCidr = hollow.PodCidrOf(index),
            StateDirectory = Path.Combine(template.StateDirectory, name),
            VolumeRoot = template.VolumeRoot ?? Path.Combine(template.StateDirectory, "volumes"),
            Cpu = hollow.Cpu,
            Memory = hollow.Memory,
            MaxPods = hollow.MaxPods,
            NodeLabels = string.Join(',', new[] { template.NodeLabels, hollow.NodeLabels }.Where(l => !string.IsNullOrWhiteSpace(l))),
            RegisterWithTaints = string.Join(',', new[] { template.RegisterWithTaints, hollow.RegisterWithTaints }.Where(t => !string.IsNullOrWhiteSpace(t))),
            NodeLeaseRenewInterval = template.NodeLeaseRenewInterval,
            NodeLeaseDurationSeconds = template.NodeLeaseDurationSeconds,
            NodeStatusReportFrequency = template.NodeStatusReportFrequency,
            ClusterDns = template.ClusterDns,
            ClusterDomain = template.ClusterDomain,
            Cgroups = Runtime.Cgroups.CgroupMode.None,
            BackOffInitial = template.BackOffInitial,
            BackOffMax = template.BackOffMax,
        };
    }

    /// <summary>Stops one node's agents (heartbeats, pod watch, workers), as when a kubelet dies; its Node object stays.</summary>
    public async Task StopNodeAsync(string name, CancellationToken cancellationToken)
    {
        if (_nodes.TryRemove(name, out var node))
        {
            await node.StopAsync(cancellationToken);
            await node.DisposeAsync();
            HollowLog.Stopped(logger, name);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_allStarted
            ? HealthCheckResult.Healthy($"{_nodes.Count} hollow nodes running")
            : HealthCheckResult.Unhealthy($"{_nodes.Count} of {hollow.Nodes} hollow nodes started"));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_nodes.Values.Select(async n =>
        {
            await n.StopAsync(cancellationToken);
            await n.DisposeAsync();
        }));
        _nodes.Clear();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = hollow.FirstIndex;
        var last = first + hollow.Nodes - 1;
        HollowLog.Starting(logger, hollow.Nodes, hollow.NodeName(first), hollow.NodeName(last), hollow.StartRate);
        var started = Stopwatch.StartNew();
        for (var index = first; index <= last && !stoppingToken.IsCancellationRequested; index++)
        {
            var due = TimeSpan.FromSeconds((index - first) / hollow.StartRate) - started.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            var options = OptionsFor(index);
            try
            {
                var kubeconfig = hollow.KubeconfigOf(options.NodeName);
                var node = HollowNode.Create(options, _runtime, services, kubeconfig is null ? null : Kubeconfig.Load(kubeconfig));
                _nodes[options.NodeName] = node;
                await node.StartAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                HollowLog.StartFailed(logger, e, options.NodeName);
            }
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            _allStarted = true;
            HollowLog.Started(logger, _nodes.Count, started.Elapsed.TotalSeconds);
        }
    }
}
