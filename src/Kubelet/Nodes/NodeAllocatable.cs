using System.Globalization;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>
/// What the node offers pods, as its status reports it in capacity and allocatable (this kubelet reserves nothing
/// for the system, so the two are equal): Kubelet:Cpu, else the machine's cores; Kubelet:Memory, else its memory;
/// Kubelet:MaxPods. The downward API reads a container's unset limit from here, as Kubernetes does.
/// </summary>
public sealed class NodeAllocatable(KubeletOptions options)
{
    public IReadOnlyDictionary<string, string> Resources { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cpu"] = options.Cpu ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        ["memory"] = options.Memory ?? NodeInfo.MachineMemory(),
        ["pods"] = options.MaxPods.ToString(CultureInfo.InvariantCulture),
    };
}
