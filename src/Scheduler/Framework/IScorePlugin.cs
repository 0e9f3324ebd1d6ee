using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler.Framework;

/// <summary>Ranks the feasible nodes (kube-scheduler's ScorePlugin): 0 (worst) to <see cref="MaxNodeScore"/> (best).</summary>
public interface IScorePlugin : IPlugin
{
    const long MinNodeScore = 0;
    const long MaxNodeScore = 100;

    long Score(CycleState state, Pod pod, NodeInfo nodeInfo);

    /// <summary>Rescales the raw scores of all feasible nodes in place, for plugins whose raw score is relative (counts).</summary>
    void NormalizeScores(CycleState state, Pod pod, IList<NodeScore> scores)
    {
    }
}
