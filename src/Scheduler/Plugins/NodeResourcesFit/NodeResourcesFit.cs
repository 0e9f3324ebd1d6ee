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

    private const string StateKey = "PreFilter" + nameof(NodeResourcesFit);

    public string Name => nameof(NodeResourcesFit);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var request = state.GetOrAdd(StateKey, () => PodRequests.Compute(pod));
        var reasons = new List<string>(3);
        if (nodeInfo.Pods.Count + 1 > nodeInfo.AllowedPodNumber)
        {
            reasons.Add(TooManyPods);
        }

        if (request.MilliCpu > 0 && request.MilliCpu > nodeInfo.Allocatable.MilliCpu - nodeInfo.Requested.MilliCpu)
        {
            reasons.Add(InsufficientCpu);
        }

        if (request.Memory > 0 && request.Memory > nodeInfo.Allocatable.Memory - nodeInfo.Requested.Memory)
        {
            reasons.Add(InsufficientMemory);
        }

        return reasons.Count == 0 ? Status.Success : Status.Unschedulable([.. reasons]);
    }
}
