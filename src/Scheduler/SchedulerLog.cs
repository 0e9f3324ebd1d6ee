using Microsoft.Extensions.Logging;

namespace KubeMesh.Scheduler;

internal static partial class SchedulerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Filter {Plugin} rejected node {Node} for pod {Namespace}/{Pod}: {Reason}")]
    public static partial void FilterRejected(ILogger logger, string plugin, string @namespace, string pod, string node, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Node {Node} passed every filter for pod {Namespace}/{Pod}")]
    public static partial void FilterPassed(ILogger logger, string @namespace, string pod, string node);

    [LoggerMessage(3, LogLevel.Debug, "Score {Plugin} gave node {Node} {Score} (weight {Weight}) for pod {Namespace}/{Pod}")]
    public static partial void PluginScored(ILogger logger, string plugin, string @namespace, string pod, string node, long score, int weight);

    [LoggerMessage(4, LogLevel.Error, "Plugin {Plugin} failed for pod {Namespace}/{Pod}")]
    public static partial void PluginFailed(ILogger logger, Exception exception, string plugin, string @namespace, string pod);

    [LoggerMessage(5, LogLevel.Information, "Successfully bound pod {Namespace}/{Pod} to node {Node}: evaluated {Evaluated} nodes, {Feasible} feasible")]
    public static partial void Bound(ILogger logger, string @namespace, string pod, string node, int evaluated, int feasible);

    [LoggerMessage(6, LogLevel.Information, "Unable to schedule pod {Namespace}/{Pod}; no fit; waiting: {Message}")]
    public static partial void Unschedulable(ILogger logger, string @namespace, string pod, string message);

    [LoggerMessage(7, LogLevel.Warning, "Binding pod {Namespace}/{Pod} to node {Node} failed: {Message}")]
    public static partial void BindFailed(ILogger logger, string @namespace, string pod, string node, string message);

    [LoggerMessage(8, LogLevel.Debug, "Moved {Count} unschedulable pods to the active queue on {Event}")]
    public static partial void MovedToActive(ILogger logger, int count, string @event);

    [LoggerMessage(9, LogLevel.Warning, "Could not set the PodScheduled condition of pod {Namespace}/{Pod}")]
    public static partial void ConditionUpdateFailed(ILogger logger, Exception exception, string @namespace, string pod);

    [LoggerMessage(10, LogLevel.Information, "Scheduler {SchedulerName} synced its caches and is scheduling")]
    public static partial void Started(ILogger logger, string schedulerName);

    [LoggerMessage(11, LogLevel.Error, "Scheduling pod {Key} failed unexpectedly; retrying after backoff")]
    public static partial void CycleFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(12, LogLevel.Debug, "Skipping pod {Key}: {Reason}")]
    public static partial void Skipped(ILogger logger, string key, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Could not record the scheduling results on pod {Namespace}/{Pod}")]
    public static partial void ResultsWriteFailed(ILogger logger, Exception exception, string @namespace, string pod);
}
