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

    public string Name => nameof(NodeReady);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var ready = nodeInfo.Node.Status?.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Status;
        var taint = ready switch
        {
            "True" => null,
            "False" => NotReadyTaint,
            _ => UnreachableTaint,
        };
        return taint is null || pod.Tolerates(taint)
            ? Status.Success
            : Status.UnschedulableAndUnresolvable(Tolerations.UntoleratedReason(taint));
    }
}
