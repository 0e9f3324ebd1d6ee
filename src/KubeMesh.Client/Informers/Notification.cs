namespace KubeMesh.Client;

/// <summary>One change for one handler, as an informer queues it; <see cref="NotificationType.Synced"/> marks the end of the first list.</summary>
internal readonly record struct Notification<T>(NotificationType Type, T? Old, T? New)
    where T : class
{
    public static Notification<T> Added(T obj) => new(NotificationType.Add, null, obj);

    public static Notification<T> Updated(T old, T obj) => new(NotificationType.Update, old, obj);

    public static Notification<T> Deleted(T obj) => new(NotificationType.Delete, obj, null);

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
