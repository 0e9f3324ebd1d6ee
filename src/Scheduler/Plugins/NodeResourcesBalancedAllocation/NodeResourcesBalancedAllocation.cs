using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>
/// Prefers nodes whose CPU and memory would be used in similar fractions once the pod is placed, so no node ends
/// with one resource exhausted and the other idle: 100 × (1 − standard deviation of the fractions).
/// </summary>
public sealed class NodeResourcesBalancedAllocation : IScorePlugin
{
    public string Name => nameof(NodeResourcesBalancedAllocation);

    public long Score(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var request = NodeResourcesFit.NodeResourcesFit.Request(state, pod);
        var requested = nodeInfo.Requested + request;
        var cpu = Fraction(requested.MilliCpu, nodeInfo.Allocatable.MilliCpu);
        var memory = Fraction(requested.Memory, nodeInfo.Allocatable.Memory);

        // The standard deviation of two values is half their distance.
        var deviation = Math.Abs(cpu - memory) / 2;
        return (long)((1 - deviation) * IScorePlugin.MaxNodeScore);
    }

    private static double Fraction(long requested, long capacity) =>
        capacity == 0 ? 1 : Math.Min(1, (double)requested / capacity);
}
