using System.Globalization;

namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// Why a pod fits on no node (kube-scheduler's FitError): the status of every node that was filtered out. Its
/// <see cref="Message"/> is kube-scheduler's, the reasons counted over nodes and sorted:
/// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node selector."
/// </summary>
public sealed class FitError(int numAllNodes, IReadOnlyDictionary<string, Status> nodeToStatus)
{
    public const string NoNodesAvailable = "no nodes available to schedule pods";

    public int NumAllNodes { get; } = numAllNodes;

    public IReadOnlyDictionary<string, Status> NodeToStatus { get; } = nodeToStatus;

    public string Message
    {
        get
        {
            if (NumAllNodes == 0)
            {
                return NoNodesAvailable;
            }

            var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var reason in NodeToStatus.Values.SelectMany(s => s.Reasons))
            {
                histogram[reason] = histogram.GetValueOrDefault(reason) + 1;
            }

            var reasons = histogram
                .Select(r => $"{r.Value.ToString(CultureInfo.InvariantCulture)} {r.Key}")
                .Order(StringComparer.Ordinal)
                .ToList();
            var message = $"0/{NumAllNodes.ToString(CultureInfo.InvariantCulture)} nodes are available:";
            return reasons.Count == 0 ? message : $"{message} {string.Join(", ", reasons)}.";
        }
    }

    /// <summary>True when some node failed only for reasons a change elsewhere (a pod leaving) could lift.</summary>
    public bool AnyResolvable => NodeToStatus.Values.Any(s => s.Code == StatusCode.Unschedulable);

    public override string ToString() => Message;
}
