using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Client;

namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// A node and what is already placed on it (kube-scheduler's NodeInfo): the pods bound or assumed there, the sum of
/// their requests, and the host ports they hold. Filters compare a pod against this, never against the api-server.
/// </summary>
public sealed class NodeInfo
{
    private readonly Dictionary<string, Pod> _pods = new(StringComparer.Ordinal);
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
        _pods = new Dictionary<string, Pod>(other._pods, StringComparer.Ordinal);
        _usedPorts = [.. other._usedPorts];
        Requested = other.Requested;
        NonZeroRequested = other.NonZeroRequested;
    }

    public Node Node { get; private set; } = null!;

    public string Name => Node.Metadata.Name;

    public Resource Allocatable { get; private set; }

    public long AllowedPodNumber { get; private set; }

    public IReadOnlyCollection<Pod> Pods => _pods.Values;

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
        Node = node;
        Allocatable = Resource.From(node.Status?.Allocatable);
        AllowedPodNumber = node.Status?.Allocatable.TryGetValue("pods", out var pods) == true && Quantity.TryParse(pods, out var q) ? q.Value : 0;
    }

    public void AddPod(Pod pod)
    {
        var key = MetaNamespaceKey.For(pod.Metadata);
        if (_pods.ContainsKey(key))
        {
            RemovePod(key);
        }

        _pods[key] = pod;
        Requested += PodRequests.Compute(pod);
        NonZeroRequested += PodRequests.ComputeNonZero(pod);
        _usedPorts.AddRange(HostPort.Of(pod));
    }

    public bool RemovePod(string key)
    {
        if (!_pods.Remove(key, out var pod))
        {
            return false;
        }

        Requested -= PodRequests.Compute(pod);
        NonZeroRequested -= PodRequests.ComputeNonZero(pod);
        foreach (var port in HostPort.Of(pod))
        {
            _usedPorts.Remove(port);
        }

        return true;
    }
}
