using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class DeploymentTable : TableDefinition<Deployment>
{
    public override IReadOnlyList<string> Headers => ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["CONTAINERS", "IMAGES", "SELECTOR"];

    protected override IReadOnlyList<string> Cells(Deployment d, bool wide, DateTimeOffset now)
    {
        var desired = d.Spec is { HasReplicas: true } ? d.Spec.Replicas : 1;
        var status = d.Status ?? new DeploymentStatus();
        List<string> cells =
        [
            $"{status.ReadyReplicas}/{desired}", status.UpdatedReplicas.ToString(), status.AvailableReplicas.ToString(),
            HumanDuration.Since(d.Metadata?.CreationTimestamp, now),
        ];
        if (wide)
        {
            cells.AddRange([PodTemplateColumns.Containers(d.Spec?.Template), PodTemplateColumns.Images(d.Spec?.Template), PodTemplateColumns.Selector(d.Spec?.Selector)]);
        }

        return cells;
    }
}
