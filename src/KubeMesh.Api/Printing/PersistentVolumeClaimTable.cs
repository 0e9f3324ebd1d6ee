using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class PersistentVolumeClaimTable : TableDefinition<PersistentVolumeClaim>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Status", Description: "The phase of the claim."),
        new("Volume", Description: "The volume bound to the claim."),
        new("Capacity", Description: "The storage the bound volume has."),
        new("Access Modes", Description: "The access modes of the bound volume."),
        new("StorageClass", Description: "The storage class of the claim."),
        TableColumn.Age,
        TableColumn.Wide("VolumeMode", "Filesystem or Block."),
    ];

    protected override IReadOnlyList<string> Cells(PersistentVolumeClaim pvc, DateTimeOffset now)
    {
        var spec = pvc.Spec ?? new PersistentVolumeClaimSpec();
        var status = pvc.Status ?? new PersistentVolumeClaimStatus();
        var phase = pvc.Metadata?.DeletionTimestamp is not null ? "Terminating" : status.Phase;
        var bound = spec.VolumeName.Length > 0;
        var capacity = bound && status.Capacity.TryGetValue("storage", out var storage) ? storage : "";
        var modes = bound ? AccessModes(status.AccessModes) : "";
        return
        [
            pvc.Metadata?.Name ?? "", phase, spec.VolumeName, capacity, modes, spec.HasStorageClassName ? spec.StorageClassName : "",
            HumanDuration.Since(pvc.Metadata?.CreationTimestamp, now), spec.VolumeMode.Length == 0 ? "Filesystem" : spec.VolumeMode,
        ];
    }

    private static string AccessModes(IEnumerable<string> modes) =>
        string.Join(",", modes.Select(m => m switch
        {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            _ => m,
        }));
}
