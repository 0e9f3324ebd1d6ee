using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// How a component's work joins the trace of the change it serves (OpenTelemetry's messaging pattern): the work
/// starts as a child of the first change and links the others. Work that serves no traced change (a resync, a
/// re-list, a timer, a heartbeat) starts a trace of its own marked with <see cref="TriggerTag"/>, which the
/// samplers of <c>ServiceDefaults</c> keep only at the low background ratio, so it never buries what users do.
/// </summary>
public static class WorkTracing
{
    /// <summary>What started a root span: <see cref="Resync"/> or <see cref="Heartbeat"/>; absent on work that serves a change.</summary>
    public const string TriggerTag = KubeMesh.Api.TraceTags.Trigger;

    /// <summary>Periodic or recovering work: an informer resync or re-list, a timer, a retry with nothing new.</summary>
    public const string Resync = "resync";

    /// <summary>A liveness signal: lease renewals, node status reports.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The W3C traceparent field of a watch event, as the api-server sends it.</summary>
    public const string TraceParentField = "traceparent";

    /// <summary>How many changes a span serves (1 when it has only its parent).</summary>
    public const string ChangesTag = "kubemesh.changes";

    /// <summary>
    /// Starts the span of work serving <paramref name="changes"/>: a child of the first, linked to the rest; a root
    /// marked <see cref="Resync"/> when there are none. Null when nobody listens to <paramref name="source"/>.
    /// </summary>
    public static Activity? StartWork(ActivitySource source, string name, TraceContextSet? changes, ActivityKind kind = ActivityKind.Consumer)
    {
        if (!source.HasListeners())
        {
            return null;
        }

        if (changes is null || changes.IsEmpty)
        {
            return StartRoot(source, name, Resync, kind);
        }

        var links = changes.Count > 1 ? changes.Links() : null;
        var activity = source.StartActivity(kind, changes.Parent, links: links, name: name);
        activity?.SetTag(ChangesTag, changes.Count);
        return activity;
    }

    /// <summary>Starts a span that begins a trace of its own for background work (<see cref="Resync"/>, <see cref="Heartbeat"/>).</summary>
    public static Activity? StartRoot(ActivitySource source, string name, string trigger, ActivityKind kind = ActivityKind.Internal)
    {
        if (!source.HasListeners())
        {
            return null;
        }

        // A root even where the caller runs inside another span: background work is never part of a change.
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return source.StartActivity(kind, default(ActivityContext), [new(TriggerTag, trigger)], name: name);
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = previous;
            }
        }
    }

    /// <summary>Parses a W3C traceparent; default for an empty or malformed one.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;

    /// <summary>The W3C traceparent of a span when it is sampled (what a change should carry), else null.</summary>
    public static string? TraceParentOf(Activity? activity) =>
        activity is { Recorded: true, IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>Marks the span failed with the exception's message, as OpenTelemetry's instrumentations do.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }
}
