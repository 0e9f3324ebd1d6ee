namespace KubeMesh.Client;

/// <summary>One change from a watch. For a bookmark, Object carries only metadata.resourceVersion.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object);
