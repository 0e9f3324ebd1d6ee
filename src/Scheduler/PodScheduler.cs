using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler;

/// <summary>
/// Picks a node for one pod (kube-scheduler's schedulePod): filter nodes, score the feasible ones, take the highest
/// total, choosing at random among equal totals so identical nodes share the load. As kube-scheduler does, filtering
/// stops once enough feasible nodes are found (percentageOfNodesToScore: 0 adapts it to the cluster's size, 50% of
/// 100 nodes down to 5% of 5,625 and more, never fewer than 100 nodes), and the next pod starts where this one stopped,
/// so every node is looked at in turn. One scheduling loop uses it at a time (kube-scheduler's scheduleOne is serial too).
/// </summary>
public sealed class PodScheduler(SchedulingFramework framework, Random? random = null, int percentageOfNodesToScore = 0)
{
    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;
    private readonly Random _random = random ?? Random.Shared;
    private int _nextStartNodeIndex;
    private (NodeInfo Node, Status Status)[] _rejected = [];

    public ScheduleResult Schedule(CycleState state, Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        if (nodes.Count == 0)
        {
            return new ScheduleResult(null, 0, 0, new FitError(0, new Dictionary<string, Status>()));
        }

        var toFind = NumFeasibleNodesToFind(nodes.Count);
        var feasible = new List<NodeInfo>(toFind);

        // Every rejected node's status, kept in a reused buffer: a dictionary of them is built only when no node fits.
        if (_rejected.Length < nodes.Count)
        {
            _rejected = new (NodeInfo, Status)[nodes.Count];
        }

        var rejectedCount = 0;
        var start = _nextStartNodeIndex % nodes.Count;
        var evaluated = 0;
        using (var filter = SchedulerTracing.Source.StartActivity("filter"))
        {
            for (; evaluated < nodes.Count && feasible.Count < toFind; evaluated++)
            {
                var index = start + evaluated;
                var node = nodes[index < nodes.Count ? index : index - nodes.Count];
                var status = framework.RunFilterPlugins(state, pod, node);
                if (status.IsSuccess)
                {
                    feasible.Add(node);
                }
                else
                {
                    _rejected[rejectedCount++] = (node, status);
                }
            }

            filter?.SetTag("scheduler.nodes.evaluated", evaluated);
            filter?.SetTag("scheduler.nodes.feasible", feasible.Count);
        }

        _nextStartNodeIndex = (start + evaluated) % nodes.Count;
        if (feasible.Count == 0)
        {
            var rejected = new Dictionary<string, Status>(rejectedCount, StringComparer.Ordinal);
            for (var i = 0; i < rejectedCount; i++)
            {
                rejected[_rejected[i].Node.Name] = _rejected[i].Status;
            }

            Array.Clear(_rejected, 0, rejectedCount);
            return new ScheduleResult(null, nodes.Count, 0, new FitError(nodes.Count, rejected));
        }

        // The buffer must not keep old snapshots' nodes alive.
        Array.Clear(_rejected, 0, rejectedCount);

        // One feasible node needs no ranking, as in kube-scheduler.
        if (feasible.Count == 1)
        {
            return new ScheduleResult(feasible[0].Name, evaluated, 1, null);
        }

        using var score = SchedulerTracing.Source.StartActivity("score");
        var scores = framework.RunScorePlugins(state, pod, feasible);
        var host = SelectHost(scores);
        if (score is not null)
        {
            score.SetTag("scheduler.node.selected", host);
            score.SetTag("scheduler.node.score", scores.First(s => s.NodeName == host).Score);
        }

        return new ScheduleResult(host, evaluated, feasible.Count, null);
    }

    /// <summary>kube-scheduler's numFeasibleNodesToFind: how many feasible nodes are enough to pick the best from.</summary>
    internal int NumFeasibleNodesToFind(int nodes)
    {
        if (nodes < MinFeasibleNodesToFind || percentageOfNodesToScore >= 100)
        {
            return nodes;
        }

        var percentage = percentageOfNodesToScore > 0 ? percentageOfNodesToScore : Math.Max(MinFeasibleNodesPercentageToFind, 50 - (nodes / 125));
        return Math.Max(MinFeasibleNodesToFind, nodes * percentage / 100);
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
