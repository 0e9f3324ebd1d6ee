namespace KubeMesh.Scheduler.Framework;

/// <summary>One node's score from one plugin, or the weighted total over all of them.</summary>
public readonly record struct NodeScore(string NodeName, long Score);
