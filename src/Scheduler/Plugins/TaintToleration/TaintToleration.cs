using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.TaintToleration;

/// <summary>Keeps a pod off nodes with a NoSchedule or NoExecute taint it does not tolerate.</summary>
public sealed class TaintToleration : IFilterPlugin
{
    public string Name => nameof(TaintToleration);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var taint = Tolerations.FirstUntolerated(pod, nodeInfo.Node.Spec?.Taints ?? []);
        return taint is null ? Status.Success : Status.UnschedulableAndUnresolvable(Tolerations.UntoleratedReason(taint));
    }
}
