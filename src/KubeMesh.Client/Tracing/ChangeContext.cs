using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// The trace context of the change an informer is delivering to a handler, for the length of that call. Handlers
/// only compute keys and enqueue them, synchronously; <see cref="WorkQueue{TKey}.Add(TKey)"/> and the other
/// enqueuing calls read it here, so the key carries the change that queued it without any handler passing it on.
/// </summary>
public static class ChangeContext
{
    [ThreadStatic]
    private static ActivityContext t_current;

    /// <summary>The context of the change being delivered on this thread; default outside a delivery or for a change without one.</summary>
    public static ActivityContext Current => t_current;

    /// <summary>Makes <paramref name="context"/> current on this thread until the scope is disposed.</summary>
    public static Scope Enter(in ActivityContext context)
    {
        var previous = t_current;
        t_current = context;
        return new Scope(previous);
    }

    public readonly struct Scope(ActivityContext previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }
}
