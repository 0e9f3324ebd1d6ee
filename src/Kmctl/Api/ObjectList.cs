using Google.Protobuf;

namespace KubeMesh.Kmctl.Api;

/// <summary>The items of a List call and the revision to start a watch from.</summary>
public sealed record ObjectList(IReadOnlyList<IMessage> Items, string ResourceVersion);
