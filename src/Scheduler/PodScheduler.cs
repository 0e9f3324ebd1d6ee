using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler;

/// <summary>
/// Picks a node for one pod (kube-scheduler's schedulePod): filter every node, score the feasible ones, take the
/// highest total, choosing at random among equal totals so identical nodes share the load.
/// </summary>
public sealed class PodScheduler(SchedulingFramework framework, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public ScheduleResult Schedule(CycleState state, Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (nodes.Count == 0)
        {
            return new ScheduleResult(null, 0, 0, new FitError(0, new Dictionary<string, Status>()));
        }

        var feasible = new List<NodeInfo>(nodes.Count);
        var rejected = new Dictionary<string, Status>(StringComparer.Ordinal);
        using (var filter = SchedulerTracing.Source.StartActivity("filter"))
        {
            foreach (var node in nodes)
            {
                var status = framework.RunFilterPlugins(state, pod, node);
                if (status.IsSuccess)
                {
                    feasible.Add(node);
                }
                else
                {
                    rejected[node.Name] = status;
                }
            }

            filter?.SetTag("scheduler.nodes.evaluated", nodes.Count);
            filter?.SetTag("scheduler.nodes.feasible", feasible.Count);
        }

        if (feasible.Count == 0)
        {
            return new ScheduleResult(null, nodes.Count, 0, new FitError(nodes.Count, rejected));
        }

        // One feasible node needs no ranking, as in kube-scheduler.
        if (feasible.Count == 1)
        {
            return new ScheduleResult(feasible[0].Name, nodes.Count, 1, null);
        }

        using var score = SchedulerTracing.Source.StartActivity("score");
        var scores = framework.RunScorePlugins(state, pod, feasible);
        var host = SelectHost(scores);
        score?.SetTag("scheduler.node.selected", host);
        score?.SetTag("scheduler.node.score", scores.First(s => s.NodeName == host).Score);
        return new ScheduleResult(host, nodes.Count, feasible.Count, null);
    }

    /// <summary>The highest score; among ties each is equally likely (reservoir sampling, as kube-scheduler's selectHost).</summary>
    internal string SelectHost(IReadOnlyList<NodeScore> scores)
    {
        var best = scores[0];
        var ties = 1;
        for (var i = 1; i < scores.Count; i++)
        {
            if (scores[i].Score > best.Score)
            {
                best = scores[i];
                ties = 1;
            }
            else if (scores[i].Score == best.Score)
            {
                ties++;
                if (_random.Next(ties) == 0)
                {
                    best = scores[i];
                }
            }
        }

        return best.NodeName;
    }
}
