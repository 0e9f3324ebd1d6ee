namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// The object leadership is recorded in (client-go's resourcelock.Interface). Updates are compare-and-swap against the
/// version last read, created or written, so two candidates can never both think they wrote the lock.
/// </summary>
public interface ILeaseLock
{
    /// <summary>This candidate's unique name, written as the holder when it leads.</summary>
    string Identity { get; }

    /// <summary>The lock's name for logs: "kube-system/kube-scheduler".</summary>
    string Describe { get; }

    /// <summary>The record as stored, or null when the lock does not exist yet.</summary>
    Task<LeaderElectionRecord?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Creates the lock holding <paramref name="record"/>; fails if someone created it first.</summary>
    Task CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken);

    /// <summary>Replaces the record; fails with a conflict if the lock changed since this candidate last saw it.</summary>
    Task UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken);
}
