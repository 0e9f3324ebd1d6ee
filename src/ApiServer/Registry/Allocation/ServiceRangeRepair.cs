using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>
/// Makes the allocation hashes agree with the stored Services when the api-server starts, like
/// kube-apiserver's service IP and node port repair controllers: an allocation whose owner is gone
/// (a crash between allocating and storing) is released, and a Service's address or port missing from
/// the hash (a store restored from an older backup) is recorded again.
/// </summary>
/// <remarks>
/// It runs before this api-server serves requests; with several api-servers on one store, a create in
/// flight on another one could lose its fresh allocation here, which is why kube releases a leak only
/// after seeing it on several passes. KubeMesh runs one api-server.
/// </remarks>
public sealed partial class ServiceRangeRepair(ObjectStore store, ServiceAllocators allocators, ILogger<ServiceRangeRepair> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RepairAsync();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogRepairFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RepairAsync()
    {
        var (items, _) = await store.ListAsync(ResourceKinds.Service, null);
        var ips = new Dictionary<string, string>(StringComparer.Ordinal);
        var ports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in items.Select(i => (Service)ObjectCodec.Decode(ResourceKinds.Service, i)))
        {
            var owner = ServiceAllocators.Owner(service.Metadata);
            if (ServiceStrategy.NeedsClusterIp(service.Spec) && allocators.ClusterIps.Range.Contains(service.Spec.ClusterIp))
            {
                ips[service.Spec.ClusterIp] = owner;
            }

            if (ServiceStrategy.NeedsNodePorts(service.Spec))
            {
                foreach (var port in service.Spec.Ports.Where(p => p.NodePort != 0))
                {
                    ports[port.NodePort.ToString(System.Globalization.CultureInfo.InvariantCulture)] = owner;
                }
            }
        }

        await RepairAsync(allocators.ClusterIps, ips);
        await RepairAsync(allocators.NodePorts, ports);
    }

    private async Task RepairAsync(RangeAllocator allocator, Dictionary<string, string> wanted)
    {
        foreach (var (item, holder) in await allocator.ListAsync())
        {
            if (!wanted.TryGetValue(item, out var owner) || owner != holder)
            {
                await allocator.ReleaseAsync(item, holder);
                LogReleasedLeak(logger, (string)allocator.Key!, item, holder);
            }
        }

        foreach (var (item, owner) in wanted)
        {
            if (await allocator.AllocateAsync(item, owner) == AllocationOutcome.Allocated)
            {
                continue;
            }

            LogUnrecordable(logger, (string)allocator.Key!, item, owner);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check service allocations against the stored Services; will check at the next start")]
    private static partial void LogRepairFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Item} in {Range}: its holder {Owner} no longer exists")]
    private static partial void LogReleasedLeak(ILogger logger, string range, string item, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Item} in {Range} is used by {Owner} but held by another Service")]
    private static partial void LogUnrecordable(ILogger logger, string range, string item, string owner);
}
