using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodePorts;

/// <summary>A pod asking for host ports fits only nodes where no pod already holds a clashing one.</summary>
public sealed class NodePorts : IFilterPlugin
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";

    private static readonly CycleStateKey<HostPort[]> StateKey = new("PreFilter" + nameof(NodePorts));

    public string Name => nameof(NodePorts);

    private static readonly Status Clash = Status.Unschedulable(Reason).WithPlugin(nameof(NodePorts));

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var wanted = state.GetOrAdd(StateKey, pod, static p => HostPort.Of(p).ToArray());
        if (wanted.Length == 0)
        {
            return Status.Success;
        }

        var used = nodeInfo.UsedPorts;
        foreach (var port in wanted)
        {
            for (var i = 0; i < used.Count; i++)
            {
                if (used[i].ConflictsWith(port))
                {
                    return Clash;
                }
            }
        }

        return Status.Success;
    }
}
