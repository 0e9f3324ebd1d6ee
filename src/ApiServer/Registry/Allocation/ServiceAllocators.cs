using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>The two ranges a Service draws from: cluster IPs and node ports.</summary>
public sealed class ServiceAllocators(IConnectionMultiplexer redis, IOptions<StoreOptions> store, IOptions<ServiceAllocationOptions> options)
{
    public RangeAllocator ClusterIps { get; } = new(
        redis.GetDatabase(), $"{store.Value.KeyPrefix}/ranges/serviceips", AllocationRange.ParseCidr(options.Value.ServiceClusterIpRange));

    public RangeAllocator NodePorts { get; } = new(
        redis.GetDatabase(), $"{store.Value.KeyPrefix}/ranges/servicenodeports", AllocationRange.ParsePorts(options.Value.ServiceNodePortRange));

    /// <summary>Who holds an allocation: the uid tells a re-created Service of the same name from the old one.</summary>
    public static string Owner(KubeMesh.Api.Meta.V1.ObjectMeta meta) => $"{meta.Namespace}/{meta.Name}/{meta.Uid}";
}
