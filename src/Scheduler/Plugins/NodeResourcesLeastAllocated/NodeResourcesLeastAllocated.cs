using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeResourcesLeastAllocated;

/// <summary>
/// Prefers the node with the most CPU and memory left once the pod is placed (kube-scheduler's LeastAllocated
/// strategy of NodeResourcesFit), so load spreads. Requests left unset count at the defaults (100m, 200Mi).
/// </summary>
public sealed class NodeResourcesLeastAllocated : IScorePlugin
{
    private static readonly CycleStateKey<Resource> StateKey = new("PreScore" + nameof(NodeResourcesLeastAllocated));

    public string Name => nameof(NodeResourcesLeastAllocated);

    public long Score(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var request = state.GetOrAdd(StateKey, pod, static p => PodRequests.ComputeNonZero(p));
        var requested = nodeInfo.NonZeroRequested + request;
        var cpu = LeastRequested(requested.MilliCpu, nodeInfo.Allocatable.MilliCpu);
        var memory = LeastRequested(requested.Memory, nodeInfo.Allocatable.Memory);
        return (cpu + memory) / 2;
    }

    internal static long LeastRequested(long requested, long capacity) =>
        capacity == 0 || requested > capacity ? 0 : (capacity - requested) * IScorePlugin.MaxNodeScore / capacity;
}
