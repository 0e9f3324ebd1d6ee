using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// A pod fits a node when its requests fit in the node's allocatable minus what the node's pods already request,
/// and the node has room for one more pod. Every shortfall is a reason of its own, as in kube-scheduler.
/// </summary>
public sealed class NodeResourcesFit : IFilterPlugin
{
    public const string TooManyPods = "Too many pods";
    public const string InsufficientCpu = "Insufficient cpu";
    public const string InsufficientMemory = "Insufficient memory";

    private static readonly CycleStateKey<Resource> StateKey = new("PreFilter" + nameof(NodeResourcesFit));

    // Every combination of shortfalls, made once: bit 0 too many pods, bit 1 cpu, bit 2 memory.
    private static readonly Status[] Shortfalls = [.. Enumerable.Range(0, 8).Select(Shortfall)];

    public string Name => nameof(NodeResourcesFit);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var request = Request(state, pod);
        var shortfall = 0;
        if (nodeInfo.PodCount + 1 > nodeInfo.AllowedPodNumber)
        {
            shortfall |= 1;
        }

        if (request.MilliCpu > 0 && request.MilliCpu > nodeInfo.Allocatable.MilliCpu - nodeInfo.Requested.MilliCpu)
        {
            shortfall |= 2;
        }

        if (request.Memory > 0 && request.Memory > nodeInfo.Allocatable.Memory - nodeInfo.Requested.Memory)
        {
            shortfall |= 4;
        }

        return Shortfalls[shortfall];
    }

    /// <summary>The pod's requests, summed once per cycle and shared with the scoring plugins that compare the same figure.</summary>
    internal static Resource Request(CycleState state, Pod pod) => state.GetOrAdd(StateKey, pod, static p => PodRequests.Compute(p));

    private static Status Shortfall(int bits)
    {
        if (bits == 0)
        {
            return Status.Success;
        }

        var reasons = new List<string>(3);
        if ((bits & 1) != 0)
        {
            reasons.Add(TooManyPods);
        }

        if ((bits & 2) != 0)
        {
            reasons.Add(InsufficientCpu);
        }

        if ((bits & 4) != 0)
        {
            reasons.Add(InsufficientMemory);
        }

        return Status.Unschedulable([.. reasons]).WithPlugin(nameof(NodeResourcesFit));
    }
}
