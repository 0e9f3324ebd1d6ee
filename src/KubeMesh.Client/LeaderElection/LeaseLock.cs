using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Meta.V1;
using Grpc.Core;

namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// A coordination.k8s.io/v1 Lease as the lock (client-go's resourcelock.LeaseLock): holderIdentity, acquireTime,
/// renewTime, leaseTransitions and leaseDurationSeconds, written with the resourceVersion last seen.
/// </summary>
public sealed class LeaseLock(ResourceClient<Lease> leases, string @namespace, string name, string identity) : ILeaseLock
{
    private Lease? _lease;

    public string Identity => identity;

    public string Describe => $"{@namespace}/{name}";

    public async Task<LeaderElectionRecord?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lease = await leases.GetAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            _lease = null;
            return null;
        }

        return ToRecord(_lease.Spec ?? new LeaseSpec());
    }

    public async Task CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken) =>
        _lease = await leases.CreateAsync(
            new Lease { Metadata = new ObjectMeta { Namespace = @namespace, Name = name }, Spec = ToSpec(record) },
            cancellationToken).ConfigureAwait(false);

    public async Task UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = _lease?.Clone() ?? throw new InvalidOperationException($"lease {Describe} not read or created yet");
        lease.Spec = ToSpec(record);
        _lease = await leases.UpdateAsync(lease, cancellationToken).ConfigureAwait(false);
    }

    public static LeaderElectionRecord ToRecord(LeaseSpec spec) => new(
        spec.HolderIdentity,
        spec.HasLeaseDurationSeconds ? spec.LeaseDurationSeconds : 0,
        spec.AcquireTime?.ToDateTimeOffset(),
        spec.RenewTime?.ToDateTimeOffset(),
        spec.HasLeaseTransitions ? spec.LeaseTransitions : 0);

    private static LeaseSpec ToSpec(LeaderElectionRecord record)
    {
        var spec = new LeaseSpec
        {
            HolderIdentity = record.HolderIdentity,
            LeaseDurationSeconds = record.LeaseDurationSeconds,
            LeaseTransitions = record.LeaderTransitions,
        };
        if (record.AcquireTime is { } acquired)
        {
            spec.AcquireTime = Timestamp.FromDateTimeOffset(acquired);
        }

        if (record.RenewTime is { } renewed)
        {
            spec.RenewTime = Timestamp.FromDateTimeOffset(renewed);
        }

        return spec;
    }
}
