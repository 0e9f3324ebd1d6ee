using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.SelectorSpread;

/// <summary>
/// Spreads the pods of one controller (a ReplicaSet, StatefulSet, Job: the same controller ownerReference uid)
/// across nodes: a node scores lower the more of its siblings it already runs, so losing one node loses few replicas.
/// </summary>
public sealed class SelectorSpread : IScorePlugin
{
    private static readonly CycleStateKey<string> StateKey = new("PreScore" + nameof(SelectorSpread));

    public string Name => nameof(SelectorSpread);

    public long Score(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var owner = state.GetOrAdd(StateKey, pod, static p => ControllerUid(p.Metadata) ?? "");
        if (owner.Length == 0)
        {
            return 0;
        }

        var siblings = 0;
        foreach (var placed in nodeInfo.PlacedPods)
        {
            if (!placed.Deleting && placed.ControllerUid == owner && placed.Namespace == pod.Metadata.Namespace)
            {
                siblings++;
            }
        }

        return siblings;
    }

    /// <summary>Turns sibling counts into scores: none scores 100, the most crowded node 0.</summary>
    public void NormalizeScores(CycleState state, Pod pod, IList<NodeScore> scores)
    {
        var max = scores.Count == 0 ? 0 : scores.Max(s => s.Score);
        for (var i = 0; i < scores.Count; i++)
        {
            var score = max == 0 ? IScorePlugin.MaxNodeScore : IScorePlugin.MaxNodeScore * (max - scores[i].Score) / max;
            scores[i] = scores[i] with { Score = score };
        }
    }

    public static string? ControllerUid(ObjectMeta? metadata)
    {
        foreach (var owner in metadata?.OwnerReferences ?? [])
        {
            if (owner.HasController && owner.Controller && owner.Uid.Length > 0)
            {
                return owner.Uid;
            }
        }

        return null;
    }
}
