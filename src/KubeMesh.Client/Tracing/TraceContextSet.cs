using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// The trace contexts of the changes one piece of work serves: the watch events that queued a key, merged while it
/// waited. The first is the parent of the work's span, the others become its links, so a sync that serves several
/// changes joins the trace of the first and points at the rest. Only sampled contexts are kept, each once, at most
/// <see cref="MaxContexts"/> of them (a key that waits through a storm of changes links to its first ones).
/// </summary>
public sealed class TraceContextSet
{
    /// <summary>OpenTelemetry's default limit of links per span is 128; a sync linked to more tells no more.</summary>
    public const int MaxContexts = 32;

    private readonly List<ActivityContext> _contexts = new(1);

    public int Count => _contexts.Count;

    public bool IsEmpty => _contexts.Count == 0;

    /// <summary>The context of the first change, the work's parent; default when there is none.</summary>
    public ActivityContext Parent => _contexts.Count > 0 ? _contexts[0] : default;

    public IReadOnlyList<ActivityContext> Contexts => _contexts;

    /// <summary>A set of one context, or null when the context is not worth keeping (none, or not sampled).</summary>
    public static TraceContextSet? Of(in ActivityContext context)
    {
        if (!Keeps(context))
        {
            return null;
        }

        var set = new TraceContextSet();
        set._contexts.Add(context);
        return set;
    }

    /// <summary>Whether a context is one a change carries: a valid trace that was sampled.</summary>
    public static bool Keeps(in ActivityContext context) =>
        context.TraceId != default && (context.TraceFlags & ActivityTraceFlags.Recorded) != 0;

    /// <summary>Adds a context unless it is there already, not sampled, or the set is full.</summary>
    public void Add(in ActivityContext context)
    {
        if (!Keeps(context) || _contexts.Count >= MaxContexts)
        {
            return;
        }

        foreach (var existing in _contexts)
        {
            if (existing.SpanId == context.SpanId && existing.TraceId == context.TraceId)
            {
                return;
            }
        }

        _contexts.Add(context);
    }

    public void AddRange(TraceContextSet? other)
    {
        if (other is null || ReferenceEquals(other, this))
        {
            return;
        }

        foreach (var context in other._contexts)
        {
            Add(context);
        }
    }

    /// <summary>Merges <paramref name="context"/> into <paramref name="set"/>, creating the set only when there is something to keep.</summary>
    public static void Merge(ref TraceContextSet? set, in ActivityContext context)
    {
        if (!Keeps(context))
        {
            return;
        }

        if (set is null)
        {
            set = Of(context);
        }
        else
        {
            set.Add(context);
        }
    }

    /// <summary>Merges <paramref name="other"/> into <paramref name="set"/>, creating the set only when there is something to keep.</summary>
    public static void Merge(ref TraceContextSet? set, TraceContextSet? other)
    {
        if (other is null || other.IsEmpty)
        {
            return;
        }

        set ??= new TraceContextSet();
        set.AddRange(other);
    }

    /// <summary>The links of a span started from this set: every context but the parent.</summary>
    public IEnumerable<ActivityLink> Links() => _contexts.Skip(1).Select(c => new ActivityLink(c));
}
