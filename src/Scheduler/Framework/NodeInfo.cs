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
        Node = node;
        Allocatable = Resource.From(node.Status?.Allocatable);
        AllowedPodNumber = node.Status?.Allocatable.TryGetValue("pods", out var pods) == true && Quantity.TryParse(pods, out var q) ? q.Value : 0;
    }

    public Node Node { get; }

    public string Name => Node.Metadata.Name;

    public Resource Allocatable { get; }

    public long AllowedPodNumber { get; }

    public IReadOnlyCollection<Pod> Pods => _pods.Values;

    /// <summary>The sum of the pods' requests.</summary>
    public Resource Requested { get; private set; }

    /// <summary>The sum with unset CPU and memory requests counted at their defaults, for scoring.</summary>
    public Resource NonZeroRequested { get; private set; }

    public IReadOnlyList<HostPort> UsedPorts => _usedPorts;

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
