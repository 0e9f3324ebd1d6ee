using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Client;
using KubeMesh.Scheduler.Plugins.TaintToleration;

namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// A node and what is already placed on it (kube-scheduler's NodeInfo): the pods bound or assumed there, the sum of
/// their requests, and the host ports they hold. Filters compare a pod against this, never against the api-server.
/// What filters read on every node is worked out once when the node or a pod changes, not on each look: allocatable
/// and requested as plain numbers, the Ready condition, the taints that keep pods off (with the status that says
/// so), and each pod's requests and controller.
/// </summary>
public sealed class NodeInfo
{
    private readonly Dictionary<string, PlacedPod> _pods = new(StringComparer.Ordinal);
    private readonly List<HostPort> _usedPorts = [];

    public NodeInfo(Node node)
    {
        SetNode(node);
    }

    private NodeInfo(NodeInfo other)
    {
        Node = other.Node;
        Allocatable = other.Allocatable;
        AllowedPodNumber = other.AllowedPodNumber;
        ReadyStatus = other.ReadyStatus;
        Unschedulable = other.Unschedulable;
        Taints = other.Taints;
        _pods = new Dictionary<string, PlacedPod>(other._pods, StringComparer.Ordinal);
        _usedPorts = [.. other._usedPorts];
        Requested = other.Requested;
        NonZeroRequested = other.NonZeroRequested;
    }

    public Node Node { get; private set; } = null!;

    public string Name => Node.Metadata.Name;

    public Resource Allocatable { get; private set; }

    public long AllowedPodNumber { get; private set; }

    /// <summary>The status of the node's Ready condition ("True", "False", "Unknown"), or null without one.</summary>
    public string? ReadyStatus { get; private set; }

    /// <summary>The node's NoSchedule and NoExecute taints, in order, each with the status a pod not tolerating it gets.</summary>
    public (Taint Taint, Status Untolerated)[] Taints { get; private set; } = [];

    /// <summary>spec.unschedulable: the node is cordoned.</summary>
    public bool Unschedulable { get; private set; }

    public IEnumerable<Pod> Pods => _pods.Values.Select(p => p.Pod);

    public int PodCount => _pods.Count;

    /// <summary>The pods with what scoring reads of them; a struct enumerator, so a walk over them allocates nothing.</summary>
    public Dictionary<string, PlacedPod>.ValueCollection PlacedPods => _pods.Values;

    /// <summary>The sum of the pods' requests.</summary>
    public Resource Requested { get; private set; }

    /// <summary>The sum with unset CPU and memory requests counted at their defaults, for scoring.</summary>
    public Resource NonZeroRequested { get; private set; }

    public IReadOnlyList<HostPort> UsedPorts => _usedPorts;

    /// <summary>A copy that later changes to this one do not reach (the cache's snapshot of the node).</summary>
    public NodeInfo Clone() => new(this);

    /// <summary>A newer version of the node; its pods stay.</summary>
    public void SetNode(Node node)
    {
        var previous = Node;
        Node = node;
        Allocatable = Resource.From(node.Status?.Allocatable);
        AllowedPodNumber = node.Status?.Allocatable.TryGetValue("pods", out var pods) == true && Quantity.TryParse(pods, out var q) ? q.Value : 0;
        Unschedulable = node.Spec?.Unschedulable == true;
        ReadyStatus = null;
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            if (condition.Type == "Ready")
            {
                ReadyStatus = condition.Status;
                break;
            }
        }

        // Heartbeats rewrite the node without touching its taints: keep the statuses made for them.
        if (previous is null || !(previous.Spec?.Taints ?? []).Equals(node.Spec?.Taints ?? []))
        {
            Taints = [.. (node.Spec?.Taints ?? []).Where(Tolerations.KeepsPodsOff).Select(t => (t, Tolerations.UntoleratedStatus(t)))];
        }
    }

    public void AddPod(Pod pod)
    {
        var key = MetaNamespaceKey.For(pod.Metadata);
        if (_pods.ContainsKey(key))
        {
            RemovePod(key);
        }

        var placed = new PlacedPod(pod);
        _pods[key] = placed;
        Requested += placed.Requested;
        NonZeroRequested += placed.NonZeroRequested;
        _usedPorts.AddRange(placed.Ports);
    }

    public bool RemovePod(string key)
    {
        if (!_pods.Remove(key, out var placed))
        {
            return false;
        }

        Requested -= placed.Requested;
        NonZeroRequested -= placed.NonZeroRequested;
        foreach (var port in placed.Ports)
        {
            _usedPorts.Remove(port);
        }

        return true;
    }
}

/// <summary>A pod on a node with what the scheduler reads of it worked out once: its requests, host ports and controller.</summary>
public sealed class PlacedPod
{
    public PlacedPod(Pod pod)
    {
        Pod = pod;
        Requested = PodRequests.Compute(pod);
        NonZeroRequested = PodRequests.ComputeNonZero(pod);
        Ports = [.. HostPort.Of(pod)];
        ControllerUid = Plugins.SelectorSpread.SelectorSpread.ControllerUid(pod.Metadata);
    }

    public Pod Pod { get; }

    public Resource Requested { get; }

    public Resource NonZeroRequested { get; }

    public HostPort[] Ports { get; }

    /// <summary>The uid of the pod's controller (the ownerReference with controller: true), or null.</summary>
    public string? ControllerUid { get; }

    public string Namespace => Pod.Metadata.Namespace;

    public bool Deleting => Pod.Metadata.DeletionTimestamp is not null;
}
