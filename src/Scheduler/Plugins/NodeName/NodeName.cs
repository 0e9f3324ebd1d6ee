using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeName;

/// <summary>A pod that names its node (spec.nodeName) fits only there.</summary>
public sealed class NodeName : IFilterPlugin
{
    public const string Reason = "node(s) didn't match the requested node name";

    private static readonly Status Mismatch = Status.UnschedulableAndUnresolvable(Reason).WithPlugin(nameof(NodeName));

    public string Name => nameof(NodeName);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var requested = pod.Spec?.NodeName ?? "";
        return requested.Length == 0 || requested == nodeInfo.Name ? Status.Success : Mismatch;
    }
}
