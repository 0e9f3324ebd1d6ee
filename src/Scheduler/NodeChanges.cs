using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler;

/// <summary>Which node updates can let a pod fit that did not before: what the filters read, not heartbeats.</summary>
internal static class NodeChanges
{
    public static bool SchedulingRelevant(Node oldNode, Node newNode) =>
        !Equals(oldNode.Metadata?.Labels, newNode.Metadata?.Labels)
        || !Equals(oldNode.Spec, newNode.Spec)
        || !Equals(oldNode.Status?.Allocatable, newNode.Status?.Allocatable)
        || Ready(oldNode) != Ready(newNode);

    private static string? Ready(Node node) => node.Status?.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Status;
}
