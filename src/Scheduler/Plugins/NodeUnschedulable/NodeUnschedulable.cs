using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.TaintToleration;

namespace KubeMesh.Scheduler.Plugins.NodeUnschedulable;

/// <summary>Keeps pods off cordoned nodes (spec.unschedulable), unless they tolerate the unschedulable taint, as DaemonSet pods do.</summary>
public sealed class NodeUnschedulable : IFilterPlugin
{
    public const string Reason = "node(s) were unschedulable";

    private static readonly Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    private static readonly Status Cordoned = Status.UnschedulableAndUnresolvable(Reason).WithPlugin(nameof(NodeUnschedulable));

    public string Name => nameof(NodeUnschedulable);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo) =>
        nodeInfo.Unschedulable && !Tolerations.Tolerates(TaintToleration.TaintToleration.PodTolerations(state, pod), UnschedulableTaint)
            ? Cordoned
            : Status.Success;
}
