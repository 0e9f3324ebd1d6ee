using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.TaintToleration;

namespace KubeMesh.Scheduler.Plugins.NodeReady;

/// <summary>
/// Keeps pods off nodes whose Ready condition is not True. Kubernetes does this through the taints the node
/// lifecycle controller puts on such nodes (not-ready when False, unreachable when Unknown or missing); this plugin
/// applies the same taints from the condition itself, so the decision does not wait for a controller, and reports
/// them in kube-scheduler's words. A pod tolerating the taint (DaemonSet pods do) may still go there.
/// </summary>
public sealed class NodeReady : IFilterPlugin
{
    public static readonly Taint NotReadyTaint = new() { Key = "node.kubernetes.io/not-ready", Effect = "NoSchedule" };
    public static readonly Taint UnreachableTaint = new() { Key = "node.kubernetes.io/unreachable", Effect = "NoSchedule" };

    private static readonly Status NotReady = Status.UnschedulableAndUnresolvable(Tolerations.UntoleratedReason(NotReadyTaint)).WithPlugin(nameof(NodeReady));
    private static readonly Status Unreachable = Status.UnschedulableAndUnresolvable(Tolerations.UntoleratedReason(UnreachableTaint)).WithPlugin(nameof(NodeReady));

    public string Name => nameof(NodeReady);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var (taint, status) = nodeInfo.ReadyStatus switch
        {
            "True" => (null, Status.Success),
            "False" => (NotReadyTaint, NotReady),
            _ => (UnreachableTaint, Unreachable),
        };
        return taint is null || Tolerations.Tolerates(TaintToleration.TaintToleration.PodTolerations(state, pod), taint) ? Status.Success : status;
    }
}
