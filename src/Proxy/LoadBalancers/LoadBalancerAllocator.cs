using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.Proxy.LoadBalancers;

/// <summary>
/// The proxy is this cluster's load-balancer implementation (as MetalLB is on bare metal): it gives each
/// LoadBalancer Service an address from its pool and publishes it in status.loadBalancer.ingress, and
/// takes it back from a Service that is no longer of type LoadBalancer. Each assignment, and a pool with no address
/// left, is an Event on the Service, as MetalLB records them (IPAllocated, AllocationFailed).
/// </summary>
public sealed partial class LoadBalancerAllocator(KubeMeshClient client, EventRecorder events, IOptions<ProxyOptions> options, ILogger<LoadBalancerAllocator> logger)
{
    /// <summary>The source of its Events.</summary>
    public const string Component = "load-balancer-controller";

    private readonly AddressPool _pool = new(options.Value.LoadBalancerPool);

    public AddressPool Pool => _pool;

    /// <summary>Writes status for every Service whose load-balancer address is missing or no longer wanted.</summary>
    public async Task ReconcileAsync(IReadOnlyList<Service> services, CancellationToken cancellationToken)
    {
        var used = services.Where(s => s.Spec?.Type == "LoadBalancer")
            .SelectMany(s => s.Status?.LoadBalancer?.Ingress ?? [])
            .Select(i => i.Ip).Where(_pool.Contains).ToHashSet(StringComparer.Ordinal);
        foreach (var service in services.OrderBy(s => s.Metadata.CreationTimestamp?.ToDateTimeOffset()).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            var ingress = service.Status?.LoadBalancer?.Ingress ?? [];
            var wanted = service.Spec?.Type == "LoadBalancer";
            if (wanted && ingress.Count == 0)
            {
                var address = _pool.FirstFree(used);
                if (address is null)
                {
                    LogPoolExhausted(logger, _pool.Cidr, $"{service.Metadata.Namespace}/{service.Metadata.Name}");
                    events.Event(service, EventTypes.Warning, "AllocationFailed", $"Failed to allocate IP for \"{service.Metadata.Namespace}/{service.Metadata.Name}\": no available IPs in {_pool.Cidr}");
                    continue;
                }

                if (await WriteStatusAsync(service, address, cancellationToken))
                {
                    used.Add(address);
                    LogAssigned(logger, address, $"{service.Metadata.Namespace}/{service.Metadata.Name}");
                    events.Event(service, EventTypes.Normal, "IPAllocated", $"Assigned IP [\"{address}\"]");
                }
            }
            else if (!wanted && ingress.Any(i => _pool.Contains(i.Ip)))
            {
                await WriteStatusAsync(service, null, cancellationToken);
            }
        }
    }

    private async Task<bool> WriteStatusAsync(Service service, string? address, CancellationToken cancellationToken)
    {
        var services = client.For<Service>();
        try
        {
            await RetryOnConflict.RunAsync(async ct =>
            {
                var current = await services.GetAsync(service.Metadata.Namespace, service.Metadata.Name, ct);
                current.Status ??= new ServiceStatus();
                current.Status.LoadBalancer = new LoadBalancerStatus();
                if (address is not null)
                {
                    current.Status.LoadBalancer.Ingress.Add(new LoadBalancerIngress { Ip = address });
                }

                await services.UpdateStatusAsync(current, ct);
            }, cancellationToken);
            return true;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned load-balancer address {Address} to {Service}")]
    private static partial void LogAssigned(ILogger logger, string address, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Load-balancer pool {Pool} has no free address for {Service}")]
    private static partial void LogPoolExhausted(ILogger logger, string pool, string service);
}
