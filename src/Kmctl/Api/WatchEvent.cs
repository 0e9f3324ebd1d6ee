using Google.Protobuf;

namespace KubeMesh.Kmctl.Api;

/// <summary>One change from a watch: ADDED, MODIFIED, DELETED or BOOKMARK with the object.</summary>
public sealed record WatchEvent(string Type, IMessage Object);
