using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>One change from a watch. For a bookmark, Object carries only metadata.resourceVersion.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object)
{
    /// <summary>The trace context of the write that made the change, when it was traced (the event's traceparent); else default.</summary>
    public ActivityContext TraceContext { get; init; }
}
