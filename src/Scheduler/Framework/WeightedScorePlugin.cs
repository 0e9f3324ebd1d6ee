namespace KubeMesh.Scheduler.Framework;

/// <summary>A score plugin and how much its 0-100 score counts in a node's total.</summary>
public sealed record WeightedScorePlugin(IScorePlugin Plugin, int Weight);
