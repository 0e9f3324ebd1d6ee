using System.Collections.Concurrent;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.NodeLifecycle;

/// <summary>
/// Watches node heartbeats (pkg/controller/nodelifecycle): a node whose Lease and Ready heartbeat have not changed
/// for the grace period gets Ready=Unknown and the unreachable taints; its pods are marked not ready and, after the
/// eviction timeout (or a pod's toleration of the taint), deleted so their controllers replace them elsewhere.
/// Heartbeats are timed by when this controller saw them change, so clock skew between machines does not matter.
/// </summary>
public sealed partial class NodeLifecycleController : Controller<string>
{
    private const string LeaseNamespace = "kube-node-lease";

    private readonly NodeLifecycleOptions _options;
    private readonly Lister<Node> _nodes;
    private readonly Lister<Lease> _leases;
    private readonly Lister<Pod> _pods;
    private readonly ResourceClient<Node> _nodeClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ConcurrentDictionary<string, (string Heartbeat, DateTimeOffset ProbeTime)> _health = new();

    // The nodes this controller has taken in, as monitorNodeHealth's knownNodeSet: each is announced once per leader.
    private readonly ConcurrentDictionary<string, Node> _known = new();

    public NodeLifecycleController(ControllerContext context)
        : base(context, "NodeLifecycle", defaultWorkers: 1)
    {
        _options = context.Configuration.GetSection(NodeLifecycleOptions.Section).Get<NodeLifecycleOptions>() ?? new NodeLifecycleOptions();
        _nodeClient = context.Client.For<Node>();
        _podClient = context.Client.For<Pod>();
        var nodeInformer = InformerFor<Node>();
        var leaseInformer = InformerFor<Lease>(new InformerOptions { Namespace = LeaseNamespace });
        _nodes = nodeInformer.Lister;
        _leases = leaseInformer.Lister;
        _pods = InformerFor<Pod>().Lister;
        AddEventHandler(
            nodeInformer,
            onAdd: n => Queue.Add(n.Metadata.Name),
            onUpdate: (_, n) => Queue.Add(n.Metadata.Name),
            onDelete: n => Queue.Add(n.Metadata.Name));
        AddEventHandler(leaseInformer, onAdd: l => Queue.Add(l.Metadata.Name), onUpdate: (_, l) => Queue.Add(l.Metadata.Name));
    }

    /// <summary>monitorNodeHealth's period: every node is looked at even when nothing about it changes.</summary>
    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MonitorPeriod, Context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var key in _nodes.ListKeys())
                {
                    Queue.Add(key);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    protected internal override async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get("", name);
        if (node is null)
        {
            _health.TryRemove(name, out _);
            if (_known.TryRemove(name, out var gone))
            {
                Recorder.Event(gone, EventTypes.Normal, "RemovingNode", $"Node {name} event: Removing Node {name} from Controller");
            }

            return;
        }

        if (!_known.TryGetValue(name, out var seen) || seen.Metadata.Uid != node.Metadata.Uid)
        {
            _known[name] = node;
            Recorder.Event(node, EventTypes.Normal, "RegisteredNode", $"Node {name} event: Registered Node {name} in Controller");
        }

        var now = Now;
        var ready = node.Status?.Conditions.FirstOrDefault(c => c.Type == "Ready");
        var lease = _leases.Get(LeaseNamespace, name);
        var heartbeat = $"{lease?.Spec?.RenewTime}|{ready?.LastHeartbeatTime}";
        var health = _health.AddOrUpdate(name, _ => (heartbeat, now), (_, h) => h.Heartbeat == heartbeat ? h : (heartbeat, now));
        var staleAt = health.ProbeTime + _options.GracePeriod;
        if (now < staleAt)
        {
            if (ready?.Status == "True")
            {
                await RemoveUnreachableTaintsAsync(node, cancellationToken).ConfigureAwait(false);
            }

            Queue.AddAfter(name, staleAt - now + TimeSpan.FromMilliseconds(100));
            return;
        }

        var since = await MarkUnknownAsync(node, now, cancellationToken).ConfigureAwait(false);
        await AddUnreachableTaintsAsync(node, cancellationToken).ConfigureAwait(false);
        var next = await HandlePodsAsync(name, since, now, cancellationToken).ConfigureAwait(false);
        if (next is { } at)
        {
            Queue.AddAfter(name, at - now + TimeSpan.FromMilliseconds(100));
        }
    }
}
