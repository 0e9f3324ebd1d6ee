using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler.Framework;

/// <summary>Rules a node out for a pod (kube-scheduler's FilterPlugin). Every filter must pass for a node to be feasible.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo);
}
