using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// A pod with a nodeSelector fits only nodes carrying every one of its labels with the same value. The selector is
/// read into an array once per cycle; a node costs one label lookup per selector term and allocates nothing.
/// </summary>
public sealed class NodeAffinity : IFilterPlugin
{
    public const string Reason = "node(s) didn't match Pod's node selector";

    private static readonly CycleStateKey<KeyValuePair<string, string>[]> StateKey = new("PreFilter" + nameof(NodeAffinity));

    private static readonly Status Mismatch = Status.UnschedulableAndUnresolvable(Reason).WithPlugin(nameof(NodeAffinity));

    public string Name => nameof(NodeAffinity);

    public Status Filter(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var selector = state.GetOrAdd(StateKey, pod, static p => p.Spec?.NodeSelector.ToArray() ?? []);
        if (selector.Length == 0)
        {
            return Status.Success;
        }

        var labels = nodeInfo.Node.Metadata?.Labels;
        foreach (var (key, value) in selector)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value)
            {
                return Mismatch;
            }
        }

        return Status.Success;
    }
}
