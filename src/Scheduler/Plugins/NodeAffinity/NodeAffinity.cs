using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeAffinity;

/// <summary>A pod with a nodeSelector fits only nodes carrying every one of its labels with the same value.</summary>
public sealed class NodeAffinity : IFilterPlugin
{
    public const string Reason = "node(s) didn't match Pod's node selector";

    public string Name => nameof(NodeAffinity);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var labels = nodeInfo.Node.Metadata?.Labels;
        foreach (var (key, value) in pod.Spec?.NodeSelector ?? [])
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value)
            {
                return Status.UnschedulableAndUnresolvable(Reason);
            }
        }

        return Status.Success;
    }
}
