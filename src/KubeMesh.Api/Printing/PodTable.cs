using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class PodTable : TableDefinition<Pod>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Ready", Description: "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", Description: "The aggregate status of the containers in this pod."),
        new("Restarts", Description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        TableColumn.Age,
        TableColumn.Wide("IP", "The pod's IP address."),
        TableColumn.Wide("Node", "The node the pod is bound to."),
        TableColumn.Wide("Nominated Node", "The node the scheduler nominated for a preempting pod."),
        TableColumn.Wide("Readiness Gates", "Extra conditions the pod's readiness waits for."),
    ];

    protected override IReadOnlyList<string> Cells(Pod pod, DateTimeOffset now)
    {
        var s = PodStatusText.Of(pod);
        var status = pod.Status ?? new PodStatus();
        var ip = status.PodIps.Count > 0 ? status.PodIps[0].Ip : status.PodIp;
        return
        [
            pod.Metadata?.Name ?? "", s.ReadyText, s.Reason, s.RestartsText(now), HumanDuration.Since(pod.Metadata?.CreationTimestamp, now),
            OrNone(ip), OrNone(pod.Spec?.NodeName), OrNone(status.NominatedNodeName), "<none>",
        ];
    }
}
