using System.Collections.Concurrent;
using System.Diagnostics;

namespace KubeMesh.Testing;

/// <summary>
/// Records, while it lives, every span this process's components end (their KubeMesh.* sources, and ASP.NET Core's
/// request spans, so that an in-process api-server's write spans continue the trace a request carries), and starts
/// the span of a test's change: what the change's writes do in the components must come out in its trace.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ActivitySource _changes = new("KubeMesh.Tests.Changes");
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("KubeMesh.", StringComparison.Ordinal) || s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ended.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyCollection<Activity> Ended => _ended;

    /// <summary>Starts the root span of a change ("apply service/web"); the writes made inside it carry its trace.</summary>
    public Activity StartChange(string name) =>
        _changes.StartActivity(name, ActivityKind.Client, parentContext: default) ?? throw new InvalidOperationException("the change's span was not sampled");

    /// <summary>
    /// Whether a span of that source and name served the trace: its child, or its link where one piece of work
    /// served several changes (WorkTracing's rule).
    /// </summary>
    public bool Served(ActivityTraceId trace, ActivitySource source, string name) =>
        _ended.Any(s => s.Source == source && s.DisplayName == name && (s.TraceId == trace || s.Links.Any(l => l.Context.TraceId == trace)));

    public void Dispose()
    {
        _listener.Dispose();
        _changes.Dispose();
    }
}
