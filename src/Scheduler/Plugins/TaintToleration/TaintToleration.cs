using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Keeps a pod off nodes with a NoSchedule or NoExecute taint it does not tolerate. The node's such taints and the
/// status for each are worked out once per node version (<see cref="NodeInfo.Taints"/>), the pod's tolerations once
/// per cycle; a node is then a short loop that allocates nothing.
/// </summary>
public sealed class TaintToleration : IFilterPlugin
{
    private static readonly CycleStateKey<Toleration[]> StateKey = new("PreFilter" + nameof(TaintToleration));

    public string Name => nameof(TaintToleration);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var taints = nodeInfo.Taints;
        if (taints.Length == 0)
        {
            return Status.Success;
        }

        var tolerations = PodTolerations(state, pod);
        for (var i = 0; i < taints.Length; i++)
        {
            if (!Tolerations.Tolerates(tolerations, taints[i].Taint))
            {
                return taints[i].Untolerated;
            }
        }

        return Status.Success;
    }

    /// <summary>The pod's tolerations as an array, read once per cycle.</summary>
    internal static Toleration[] PodTolerations(CycleState state, Pod pod) =>
        state.GetOrAdd(StateKey, pod, static p => p.Spec?.Tolerations.ToArray() ?? []);
}
