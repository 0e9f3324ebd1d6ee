namespace KubeMesh.Scheduler.Framework;

/// <summary>The node chosen for a pod, or why none fits.</summary>
public sealed record ScheduleResult(string? SuggestedHost, int EvaluatedNodes, int FeasibleNodes, FitError? FitError)
{
    public bool Succeeded => SuggestedHost is not null;
}
