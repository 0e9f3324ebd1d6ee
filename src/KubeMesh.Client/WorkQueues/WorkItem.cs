namespace KubeMesh.Client;

/// <summary>A key handed out by <see cref="WorkQueue{TKey}.GetItemAsync"/>, with what it was queued for.</summary>
public readonly record struct WorkItem<TKey>(TKey Item, bool ShutDown)
{
    /// <summary>The trace contexts of the changes the key was added for since it was last handed out; null when none was traced.</summary>
    public TraceContextSet? Changes { get; init; }

    /// <summary>When the key became ready to be handed out (its add, or the end of its delay).</summary>
    public DateTimeOffset QueuedAt { get; init; }
}
