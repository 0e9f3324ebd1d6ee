using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Results;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// Runs a profile's plugins (kube-scheduler's frameworkImpl): filters in order, stopping at the first that rejects
/// a node; scores weighted and summed; one binder. Each plugin's verdict is logged at Debug, so a decision can be
/// explained from the scheduler's log, and recorded in the cycle's <see cref="SchedulingResults"/> when the pod asked
/// for them.
/// </summary>
public sealed class SchedulingFramework(
    IReadOnlyList<IFilterPlugin> filters,
    IReadOnlyList<WeightedScorePlugin> scores,
    IBindPlugin binder,
    ILogger<SchedulingFramework> logger)
{
    // An array: the filters run for every node, and indexing an IReadOnlyList is an interface call each time.
    private readonly IFilterPlugin[] _filters = [.. filters];

    public IReadOnlyList<IFilterPlugin> FilterPlugins => filters;

    public IReadOnlyList<WeightedScorePlugin> ScorePlugins => scores;

    public Status RunFilterPlugins(CycleState state, Pod pod, NodeInfo nodeInfo)
    {
        var results = SchedulingResults.Of(state);
        foreach (var plugin in _filters)
        {
            Status status;
            try
            {
                status = plugin.Filter(state, pod, nodeInfo);
            }
            catch (Exception e)
            {
                SchedulerLog.PluginFailed(logger, e, plugin.Name, pod.Metadata.Namespace, pod.Metadata.Name);
                status = Status.Error($"running \"{plugin.Name}\" filter plugin: {e.Message}");
            }

            results?.Filter(nodeInfo.Name, plugin.Name, status);
            if (!status.IsSuccess)
            {
                // The message is joined from the reasons: only when it is written.
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    SchedulerLog.FilterRejected(logger, plugin.Name, pod.Metadata.Namespace, pod.Metadata.Name, nodeInfo.Name, status.Message);
                }

                return status.WithPlugin(plugin.Name);
            }
        }

        SchedulerLog.FilterPassed(logger, pod.Metadata.Namespace, pod.Metadata.Name, nodeInfo.Name);
        return Status.Success;
    }

    /// <summary>Each node's weighted total over every score plugin, in the order of <paramref name="nodes"/>.</summary>
    public IReadOnlyList<NodeScore> RunScorePlugins(CycleState state, Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var totals = new NodeScore[nodes.Count];
        var pluginScores = new NodeScore[nodes.Count];
        var results = SchedulingResults.Of(state);
        var debug = logger.IsEnabled(LogLevel.Debug);
        for (var i = 0; i < nodes.Count; i++)
        {
            totals[i] = new NodeScore(nodes[i].Name, 0);
        }

        foreach (var (plugin, weight) in scores)
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                pluginScores[i] = new NodeScore(totals[i].NodeName, plugin.Score(state, pod, nodes[i]));
            }

            plugin.NormalizeScores(state, pod, pluginScores);
            for (var i = 0; i < nodes.Count; i++)
            {
                var score = Math.Clamp(pluginScores[i].Score, IScorePlugin.MinNodeScore, IScorePlugin.MaxNodeScore);
                if (debug)
                {
                    SchedulerLog.PluginScored(logger, plugin.Name, pod.Metadata.Namespace, pod.Metadata.Name, nodes[i].Name, score, weight);
                }

                results?.Score(nodes[i].Name, plugin.Name, score, weight);
                totals[i] = totals[i] with { Score = totals[i].Score + (score * weight) };
            }
        }

        return totals;
    }

    public async Task<Status> RunBindPluginAsync(CycleState state, Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        Status status;
        try
        {
            status = (await binder.BindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false)).WithPlugin(binder.Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            status = Status.Error(e.Message).WithPlugin(binder.Name);
        }

        SchedulingResults.Of(state)?.Bind(binder.Name, status, nodeName);
        return status;
    }
}
