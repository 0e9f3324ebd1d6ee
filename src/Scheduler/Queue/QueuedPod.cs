namespace KubeMesh.Scheduler.Queue;

/// <summary>A pod key handed to the scheduling loop, with the cycle number its attempt runs in.</summary>
public readonly record struct QueuedPod(string Key, long Cycle);
