namespace KubeMesh.Client.LeaderElection;

/// <summary>What a leader-elected component asks before acting: whether it leads now, and waiting until it does.</summary>
public interface ILeadership
{
    /// <summary>True while this process leads (always, when leader election is off).</summary>
    bool IsLeader { get; }

    /// <summary>Completes once this process leads; at once when leader election is off.</summary>
    Task WaitForLeadershipAsync(CancellationToken cancellationToken);
}
