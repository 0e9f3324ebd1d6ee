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
    public string Name => nameof(SelectorSpread);

    public long Score(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var owner = ControllerUid(pod.Metadata);
        if (owner is null)
        {
            return 0;
        }

        return nodeInfo.Pods.Count(p =>
            p.Metadata.DeletionTimestamp is null
            && p.Metadata.Namespace == pod.Metadata.Namespace
            && ControllerUid(p.Metadata) == owner);
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

    internal static string? ControllerUid(ObjectMeta? metadata) =>
        metadata?.OwnerReferences.FirstOrDefault(o => o.HasController && o.Controller && o.Uid.Length > 0)?.Uid;
}
