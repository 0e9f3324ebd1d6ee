using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class PodTable : TableDefinition<Pod>
{
    public override IReadOnlyList<string> Headers => ["NAME", "READY", "STATUS", "RESTARTS", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"];

    protected override IReadOnlyList<string> Cells(Pod pod, bool wide, DateTimeOffset now)
    {
        var s = PodStatusText.Of(pod);
        List<string> cells = [s.ReadyText, s.Reason, s.RestartsText(now), HumanDuration.Since(pod.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            var status = pod.Status ?? new PodStatus();
            var ip = status.PodIps.Count > 0 ? status.PodIps[0].Ip : status.PodIp;
            cells.AddRange([OrNone(ip), OrNone(pod.Spec?.NodeName), OrNone(status.NominatedNodeName), "<none>"]);
        }

        return cells;
    }
}
