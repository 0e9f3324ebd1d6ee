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

    public RedisChannel Events(ResourceKind kind) => RedisChannel.Literal($"{prefix}/{kind.GroupResource}/events");

    public static string Field(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";
}
