using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>Builds the Node this kubelet registers and the status it posts (kubelet's initialNode and setters).</summary>
public sealed class NodeObjectBuilder(KubeletOptions options, NodeAllocatable allocatable)
{
    public string NodeName => options.NodeName;

    public string Address { get; } = options.ResolveAddress().ToString();

    public Node Initial(DateTimeOffset now)
    {
        var node = new Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new ObjectMeta { Name = options.NodeName },
            Spec = new NodeSpec(),
        };
        ApplyLabelsAndSpec(node);
        node.Status = Status(null, now);
        return node;
    }

    /// <summary>What registration reconciles on an existing Node: its well-known labels and podCIDR.</summary>
    public void ApplyLabelsAndSpec(Node node)
    {
        node.Metadata.Labels["kubernetes.io/hostname"] = options.NodeName;
        node.Metadata.Labels["kubernetes.io/os"] = "linux";
        node.Metadata.Labels["kubernetes.io/arch"] = NodeInfo.Architecture;
        node.Spec ??= new NodeSpec();
        var cidr = options.ResolvePodRange().ToString();
        node.Spec.PodCidr = cidr;
        node.Spec.PodCidrs.Clear();
        node.Spec.PodCidrs.Add(cidr);
    }

    /// <summary>The node status with a fresh heartbeat; a condition keeps its lastTransitionTime while its status holds.</summary>
    public NodeStatus Status(NodeStatus? previous, DateTimeOffset now)
    {
        var status = new NodeStatus
        {
            Capacity = { new Dictionary<string, string>(allocatable.Resources) },
            Allocatable = { new Dictionary<string, string>(allocatable.Resources) },
            Addresses =
            {
                new NodeAddress { Type = "InternalIP", Address = Address },
                new NodeAddress { Type = "Hostname", Address = options.NodeName },
            },
            NodeInfo = NodeInfo.SystemInfo(),
            DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = options.Port } },
        };
        status.Conditions.Add(Condition(previous, now, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"));
        status.Conditions.Add(Condition(previous, now, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"));
        status.Conditions.Add(Condition(previous, now, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"));
        status.Conditions.Add(Condition(previous, now, "Ready", "True", "KubeletReady", "kubelet is posting ready status"));
        return status;
    }

    /// <summary>True when the status differs from <paramref name="previous"/> in anything but heartbeat times.</summary>
    public static bool ChangedBesidesHeartbeat(NodeStatus previous, NodeStatus next)
    {
        static NodeStatus WithoutHeartbeats(NodeStatus status)
        {
            var copy = status.Clone();
            foreach (var condition in copy.Conditions)
            {
                condition.LastHeartbeatTime = null;
            }

            return copy;
        }

        return !WithoutHeartbeats(previous).Equals(WithoutHeartbeats(next));
    }

    private static Condition Condition(NodeStatus? previous, DateTimeOffset now, string type, string status, string reason, string message)
    {
        var old = previous?.Conditions.FirstOrDefault(c => c.Type == type);
        var stamp = KubeTime.Stamp(now);
        return new Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = stamp,
            LastTransitionTime = old is not null && old.Status == status && old.LastTransitionTime is not null ? old.LastTransitionTime : stamp,
        };
    }
}
