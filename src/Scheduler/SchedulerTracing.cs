using System.Diagnostics;

namespace KubeMesh.Scheduler;

/// <summary>The scheduler's spans: "schedule default/web-0" with its queue wait, filter and score, and "bind default/web-0 node-2".</summary>
public static class SchedulerTracing
{
    public const string SourceName = "KubeMesh.Scheduler";

    public static readonly ActivitySource Source = new(SourceName);
}
