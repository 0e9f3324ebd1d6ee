using KubeMesh.Client;

namespace KubeMesh.Scheduler.Queue;

/// <summary>A pod key handed to the scheduling loop, with the cycle number its attempt runs in.</summary>
public readonly record struct QueuedPod(string Key, long Cycle)
{
    /// <summary>The trace contexts of the changes the pod was queued for (its creation, the events that woke it); null when none was traced.</summary>
    public TraceContextSet? Changes { get; init; }

    /// <summary>When the pod entered the active queue for this attempt.</summary>
    public DateTimeOffset QueuedAt { get; init; }
}
