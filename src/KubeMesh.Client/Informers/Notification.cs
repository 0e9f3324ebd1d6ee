using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// One change for one handler, as an informer queues it, with the trace context of the write that made it (default
/// for what a list, a re-list or a resync found); <see cref="NotificationType.Synced"/> marks the end of the first list,
/// and a <see cref="NotificationType.Barrier"/> completes <see cref="Reached"/> once the handler has had everything
/// queued before it.
/// </summary>
internal readonly record struct Notification<T>(NotificationType Type, T? Old, T? New, ActivityContext Trace = default, TaskCompletionSource? Reached = null)
    where T : class
{
    public static Notification<T> Added(T obj, ActivityContext trace = default) => new(NotificationType.Add, null, obj, trace);

    public static Notification<T> Updated(T old, T obj, ActivityContext trace = default) => new(NotificationType.Update, old, obj, trace);

    public static Notification<T> Deleted(T obj, ActivityContext trace = default) => new(NotificationType.Delete, obj, null, trace);

    public static Notification<T> SyncedMarker => new(NotificationType.Synced, null, null);

    public static Notification<T> BarrierMarker(TaskCompletionSource reached) => new(NotificationType.Barrier, null, null, default, reached);

    public T? Object => New ?? Old;
}

internal enum NotificationType
{
    Add,
    Update,
    Delete,
    Synced,
    Barrier,
}
