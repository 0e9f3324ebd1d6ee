using Grpc.Core;
using KubeMesh.Client.LeaderElection;

namespace KubeMesh.Client.Tests.LeaderElection;

/// <summary>
/// One lock record with a version, as the api-server keeps a Lease: writes are compare-and-swap against the version a
/// candidate last saw. <see cref="Lock"/> gives each candidate its own view, which a test can cut off from the store.
/// </summary>
internal sealed class FakeLeaseStore
{
    private readonly Lock _gate = new();
    private readonly List<(string Writer, LeaderElectionRecord Record)> _writes = [];
    private LeaderElectionRecord? _record;
    private long _version;

    public LeaderElectionRecord? Record
    {
        get
        {
            lock (_gate)
            {
                return _record;
            }
        }
    }

    /// <summary>Every successful create or update, in order, with its writer.</summary>
    public IReadOnlyList<(string Writer, LeaderElectionRecord Record)> Writes
    {
        get
        {
            lock (_gate)
            {
                return _writes.ToArray();
            }
        }
    }

    public CandidateLock Lock(string identity) => new(this, identity);

    internal (LeaderElectionRecord? Record, long Version) Read()
    {
        lock (_gate)
        {
            return (_record, _version);
        }
    }

    internal long Write(string writer, LeaderElectionRecord record, long? expectedVersion)
    {
        lock (_gate)
        {
            if (expectedVersion is null ? _record is not null : expectedVersion != _version)
            {
                throw new RpcException(new Status(expectedVersion is null ? StatusCode.AlreadyExists : StatusCode.Aborted, "the object has been modified"));
            }

            _record = record;
            _writes.Add((writer, record));
            return ++_version;
        }
    }

    /// <summary>One candidate's connection to the store; while partitioned every call hangs until its caller gives up.</summary>
    internal sealed class CandidateLock(FakeLeaseStore store, string identity) : ILeaseLock
    {
        private long? _seen;

        public string Identity => identity;

        public string Describe => "kube-system/test";

        public volatile bool Partitioned;

        public async Task<LeaderElectionRecord?> GetAsync(CancellationToken cancellationToken)
        {
            await ReachStoreAsync(cancellationToken);
            var (record, version) = store.Read();
            _seen = record is null ? null : version;
            return record;
        }

        public async Task CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
        {
            await ReachStoreAsync(cancellationToken);
            _seen = store.Write(identity, record, null);
        }

        public async Task UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
        {
            await ReachStoreAsync(cancellationToken);
            _seen = store.Write(identity, record, _seen ?? throw new InvalidOperationException("update before get"));
        }

        private async Task ReachStoreAsync(CancellationToken cancellationToken)
        {
            if (Partitioned)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
    }
}
