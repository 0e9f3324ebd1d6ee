using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodePorts;

/// <summary>A pod asking for host ports fits only nodes where no pod already holds a clashing one.</summary>
public sealed class NodePorts : IFilterPlugin
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";

    private const string StateKey = "PreFilter" + nameof(NodePorts);

    public string Name => nameof(NodePorts);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var wanted = state.GetOrAdd(StateKey, () => HostPort.Of(pod).ToList());
        var clash = wanted.Any(w => nodeInfo.UsedPorts.Any(used => used.ConflictsWith(w)));
        return clash ? Status.Unschedulable(Reason) : Status.Success;
    }
}
