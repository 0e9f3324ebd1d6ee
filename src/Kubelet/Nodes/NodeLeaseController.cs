using Grpc.Core;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>
/// Renews the Lease kube-node-lease/&lt;node&gt; every NodeLeaseRenewInterval: the cheap heartbeat the node
/// lifecycle controller watches (kubelet's nodelease controller). The lease is owned by the Node. Each renewal is a
/// heartbeat span, "renew lease node-2", in a trace of its own that is kept only at the background sampling ratio.
/// </summary>
public sealed class NodeLeaseController(
    KubeMeshClient client, NodeRegistration registration, IOptions<KubeletOptions> options, TimeProvider time,
    ILogger<NodeLeaseController> logger) : BackgroundService
{
    public const string LeaseNamespace = "kube-node-lease";

    private readonly ResourceClient<Lease> _leases = client.For<Lease>();
    private Lease? _latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = await registration.Registered.WaitAsync(stoppingToken);
        var owner = new OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Metadata.Name, Uid = node.Metadata.Uid };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RenewAsync(owner, stoppingToken);
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                KubeletLog.LeaseRenewFailed(logger, e, node.Metadata.Name, e.Status.Detail);
            }

            await Task.Delay(options.Value.NodeLeaseRenewInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RenewAsync(OwnerReference owner, CancellationToken cancellationToken)
    {
        var name = options.Value.NodeName;
        using var activity = WorkTracing.StartRoot(KubeletTracing.Source, "renew lease " + name, WorkTracing.Heartbeat);

        // As the kubelet's lease controller does, renew from the lease this node last wrote: nobody else writes a
        // node's lease, so a GET before each renewal (1,000 nodes: 100 a second) would only read back that copy.
        // A conflict or a deleted lease drops it and falls back to reading (or creating) the lease.
        if (_latest is { } latest)
        {
            try
            {
                _latest = await _leases.UpdateAsync(Renewed(latest), cancellationToken);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Aborted or StatusCode.NotFound or StatusCode.FailedPrecondition)
            {
                _latest = null;
            }
        }

        await RetryOnConflict.RunAsync(async ct =>
        {
            Lease lease;
            try
            {
                lease = await _leases.GetAsync(LeaseNamespace, name, ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                _latest = await _leases.CreateAsync(new Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = new ObjectMeta { Namespace = LeaseNamespace, Name = name, OwnerReferences = { owner } },
                    Spec = new LeaseSpec
                    {
                        HolderIdentity = name,
                        LeaseDurationSeconds = options.Value.NodeLeaseDurationSeconds,
                        RenewTime = KubeTime.Precise(time.GetUtcNow()),
                    },
                }, ct);
                return;
            }

            _latest = await _leases.UpdateAsync(Renewed(lease), ct);
        }, cancellationToken);
    }

    private Lease Renewed(Lease lease)
    {
        var renewed = lease.Clone();
        renewed.Spec ??= new LeaseSpec();
        renewed.Spec.HolderIdentity = options.Value.NodeName;
        renewed.Spec.LeaseDurationSeconds = options.Value.NodeLeaseDurationSeconds;
        renewed.Spec.RenewTime = KubeTime.Precise(time.GetUtcNow());
        return renewed;
    }
}
