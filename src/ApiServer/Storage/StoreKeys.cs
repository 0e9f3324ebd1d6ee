using KubeMesh.Api.Resources;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The key layout. Objects of one kind live in one hash (field "namespace/name"), so a list is a single
/// HGETALL inside the same MULTI as the revision read: a consistent snapshot, as an etcd range read is.
/// </summary>
public sealed class StoreKeys(string prefix)
{
    public RedisKey Revision { get; } = $"{prefix}/revision";

    public RedisKey Objects(ResourceKind kind) => $"{prefix}/{kind.GroupResource}";

    public RedisKey Log(ResourceKind kind) => $"{prefix}/{kind.GroupResource}/log";

    public RedisKey Compacted(ResourceKind kind) => $"{prefix}/{kind.GroupResource}/compacted";

    public RedisChannel Events(ResourceKind kind) => RedisChannel.Literal(EventsChannelName(kind));

    /// <summary>The channel's name as the write script publishes to it (a channel is not a key, so it travels as an argument).</summary>
    public string EventsChannelName(ResourceKind kind) => $"{prefix}/{kind.GroupResource}/events";

    public static string Field(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";
}
