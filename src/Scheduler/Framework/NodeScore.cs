namespace KubeMesh.Scheduler.Framework;

/// <summary>One node's score from one plugin, or the weighted total over all of them.</summary>
public sealed record NodeScore(string NodeName, long Score);
