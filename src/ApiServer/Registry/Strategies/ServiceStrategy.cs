using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Registry.Allocation;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>
/// Services get a cluster IP (unless headless or ExternalName) and node ports (NodePort and
/// LoadBalancer) from the api-server's ranges, as kube-apiserver's service REST storage does.
/// </summary>
public sealed class ServiceStrategy(ServiceAllocators allocators) : ResourceStrategy(ResourceKinds.Service)
{
    public override void PrepareForUpdate(IMessage updated, IMessage old)
    {
        base.PrepareForUpdate(updated, old);
        KeepAllocatedValues(((Service)updated).Spec ??= new ServiceSpec(), ((Service)old).Spec ?? new ServiceSpec());
    }

    public override async Task<Reservation> ReserveForCreateAsync(IMessage obj, bool dryRun)
    {
        var service = (Service)obj;
        var reservation = new Reservation();
        var errors = new List<FieldError>();
        await AllocateClusterIpAsync(service, reservation, errors, dryRun);
        await AllocateNodePortsAsync(service, [], reservation, errors, dryRun);
        return await CompleteAsync(service, reservation, errors);
    }

    public override async Task<Reservation> ReserveForUpdateAsync(IMessage updated, IMessage old, bool dryRun)
    {
        var service = (Service)updated;
        var previous = ((Service)old).Spec ?? new ServiceSpec();
        var owner = ServiceAllocators.Owner(((Service)old).Metadata);
        var reservation = new Reservation();
        var errors = new List<FieldError>();

        if (NeedsClusterIp(previous) && !NeedsClusterIp(service.Spec))
        {
            reservation.ReleaseOnCommit(allocators.ClusterIps, previous.ClusterIp, owner);
            service.Spec.ClusterIp = "";
            service.Spec.ClusterIps.Clear();
        }
        else if (!NeedsClusterIp(previous) || previous.ClusterIp.Length == 0)
        {
            await AllocateClusterIpAsync(service, reservation, errors, dryRun);
        }

        var kept = NeedsNodePorts(previous) ? previous.Ports.Where(p => p.NodePort != 0).Select(p => p.NodePort).ToHashSet() : [];
        await AllocateNodePortsAsync(service, kept, reservation, errors, dryRun);
        var stillUsed = NeedsNodePorts(service.Spec) ? service.Spec.Ports.Select(p => p.NodePort).ToHashSet() : [];
        foreach (var port in kept.Where(p => !stillUsed.Contains(p)))
        {
            reservation.ReleaseOnCommit(allocators.NodePorts, Item(port), owner);
        }

        return await CompleteAsync(service, reservation, errors);
    }

    public override async Task ReleaseAfterDeleteAsync(IMessage deleted)
    {
        var service = (Service)deleted;
        var owner = ServiceAllocators.Owner(service.Metadata);
        if (NeedsClusterIp(service.Spec) && service.Spec.ClusterIp.Length > 0)
        {
            await allocators.ClusterIps.ReleaseAsync(service.Spec.ClusterIp, owner);
        }

        if (NeedsNodePorts(service.Spec))
        {
            foreach (var port in service.Spec.Ports.Where(p => p.NodePort != 0))
            {
                await allocators.NodePorts.ReleaseAsync(Item(port.NodePort), owner);
            }
        }
    }

    public static bool NeedsClusterIp(ServiceSpec? spec) => spec is not null && spec.Type != "ExternalName" && spec.ClusterIp != "None";

    public static bool NeedsNodePorts(ServiceSpec? spec) => spec?.Type is "NodePort" or "LoadBalancer";

    private async Task AllocateClusterIpAsync(Service service, Reservation reservation, List<FieldError> errors, bool dryRun)
    {
        var spec = service.Spec;
        if (spec.ClusterIp == "None")
        {
            spec.ClusterIps.Clear();
            spec.ClusterIps.Add("None");
            return;
        }

        if (!NeedsClusterIp(spec))
        {
            return;
        }

        var owner = ServiceAllocators.Owner(service.Metadata);
        var requested = spec.ClusterIp.Length > 0 ? spec.ClusterIp : spec.ClusterIps.FirstOrDefault() ?? "";
        var range = allocators.ClusterIps.Range;
        if (requested.Length == 0)
        {
            if (dryRun)
            {
                return;
            }

            var ip = await allocators.ClusterIps.AllocateNextAsync(owner);
            if (ip is null)
            {
                errors.Add(new FieldError("spec.clusterIPs", $"Internal error: failed to allocate a serviceIP: range is full (service range {range.Text})"));
                return;
            }

            reservation.Took(allocators.ClusterIps, ip, owner);
            requested = ip;
        }
        else
        {
            var outcome = dryRun ? await allocators.ClusterIps.CheckAsync(requested, owner) : await allocators.ClusterIps.AllocateAsync(requested, owner);
            var why = outcome switch
            {
                AllocationOutcome.AlreadyAllocated => "provided IP is already allocated",
                AllocationOutcome.NotInRange => $"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {range.Text}",
                _ => null,
            };
            if (why is not null)
            {
                errors.Add(new FieldError("spec.clusterIPs", $"Invalid value: [{FieldError.Show(requested)}]: failed to allocate IP {requested}: {why}"));
                return;
            }

            if (!dryRun)
            {
                reservation.Took(allocators.ClusterIps, requested, owner);
            }
        }

        spec.ClusterIp = requested;
        spec.ClusterIps.Clear();
        spec.ClusterIps.Add(requested);
    }

    private async Task AllocateNodePortsAsync(Service service, HashSet<int> held, Reservation reservation, List<FieldError> errors, bool dryRun)
    {
        if (!NeedsNodePorts(service.Spec))
        {
            return;
        }

        var owner = ServiceAllocators.Owner(service.Metadata);
        var range = allocators.NodePorts.Range;
        var used = new HashSet<int>();
        for (var i = 0; i < service.Spec.Ports.Count; i++)
        {
            var port = service.Spec.Ports[i];
            var path = $"spec.ports[{i}].nodePort";
            if (port.NodePort != 0 && !used.Add(port.NodePort))
            {
                errors.Add(FieldError.Duplicate(path, port.NodePort));
                continue;
            }

            if (port.NodePort != 0 && held.Contains(port.NodePort))
            {
                continue;
            }

            if (port.NodePort == 0)
            {
                if (dryRun)
                {
                    continue;
                }

                var next = await allocators.NodePorts.AllocateNextAsync(owner);
                if (next is null)
                {
                    errors.Add(new FieldError(path, $"Internal error: failed to allocate a nodePort: range is full ({range.Text})"));
                    continue;
                }

                reservation.Took(allocators.NodePorts, next, owner);
                port.NodePort = int.Parse(next, System.Globalization.CultureInfo.InvariantCulture);
                used.Add(port.NodePort);
                continue;
            }

            var item = Item(port.NodePort);
            var outcome = dryRun ? await allocators.NodePorts.CheckAsync(item, owner) : await allocators.NodePorts.AllocateAsync(item, owner);
            switch (outcome)
            {
                case AllocationOutcome.AlreadyAllocated:
                    errors.Add(FieldError.Invalid(path, port.NodePort, "provided port is already allocated"));
                    break;
                case AllocationOutcome.NotInRange:
                    errors.Add(FieldError.Invalid(path, port.NodePort, $"provided port is not in the valid range. The range of valid ports is {range.Text}"));
                    break;
                case AllocationOutcome.Allocated when !dryRun:
                    reservation.Took(allocators.NodePorts, item, owner);
                    break;
            }
        }
    }

    private static async Task<Reservation> CompleteAsync(Service service, Reservation reservation, List<FieldError> errors)
    {
        if (errors.Count == 0)
        {
            return reservation;
        }

        await reservation.RevertAsync();
        throw ApiErrors.Invalid(ResourceKinds.Service, service.Metadata.Name, errors);
    }

    /// <summary>
    /// An update that leaves out the allocated cluster IP or node ports keeps them (kube's
    /// patchAllocatedValues), so re-applying the manifest one first applied does not try to change them.
    /// </summary>
    private static void KeepAllocatedValues(ServiceSpec updated, ServiceSpec old)
    {
        if (NeedsClusterIp(old) && NeedsClusterIp(updated) && updated.ClusterIp.Length == 0 && updated.ClusterIps.Count == 0)
        {
            updated.ClusterIp = old.ClusterIp;
            updated.ClusterIps.Add(old.ClusterIps);
        }

        if (NeedsNodePorts(old) && NeedsNodePorts(updated))
        {
            foreach (var port in updated.Ports.Where(p => p.NodePort == 0))
            {
                var match = old.Ports.FirstOrDefault(o => o.Port == port.Port && Protocol(o) == Protocol(port))
                    ?? (updated.Ports.Count == 1 && old.Ports.Count == 1 ? old.Ports[0] : null);
                port.NodePort = match?.NodePort ?? 0;
            }
        }
    }

    private static string Protocol(ServicePort port) => port.Protocol.Length == 0 ? "TCP" : port.Protocol;

    private static string Item(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
