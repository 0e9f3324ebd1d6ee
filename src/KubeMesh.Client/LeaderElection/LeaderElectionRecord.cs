namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// What a lock holds (client-go's resourcelock.LeaderElectionRecord): who leads, for how long a silent leader is
/// trusted, when it first acquired and last renewed, and how often leadership has changed hands.
/// </summary>
public sealed record LeaderElectionRecord(
    string HolderIdentity,
    int LeaseDurationSeconds,
    DateTimeOffset? AcquireTime,
    DateTimeOffset? RenewTime,
    int LeaderTransitions);
