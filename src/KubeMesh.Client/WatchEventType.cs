namespace KubeMesh.Client;

/// <summary>The kinds of watch event, as the api-server names them in the event's type field.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}
