using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// One change for one handler, as an informer queues it, with the trace context of the write that made it (default
/// for what a list, a re-list or a resync found); <see cref="NotificationType.Synced"/> marks the end of the first list.
/// </summary>
internal readonly record struct Notification<T>(NotificationType Type, T? Old, T? New, ActivityContext Trace = default)
    where T : class
{
    public static Notification<T> Added(T obj, ActivityContext trace = default) => new(NotificationType.Add, null, obj, trace);

    public static Notification<T> Updated(T old, T obj, ActivityContext trace = default) => new(NotificationType.Update, old, obj, trace);

    public static Notification<T> Deleted(T obj, ActivityContext trace = default) => new(NotificationType.Delete, obj, null, trace);

    public static Notification<T> SyncedMarker => new(NotificationType.Synced, null, null);

    public T? Object => New ?? Old;
}

internal enum NotificationType
{
    Add,
    Update,
    Delete,
    Synced,
}
