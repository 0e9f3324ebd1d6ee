using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class PersistentVolumeClaimTable : TableDefinition<PersistentVolumeClaim>
{
    public override IReadOnlyList<string> Headers => ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["VOLUMEMODE"];

    protected override IReadOnlyList<string> Cells(PersistentVolumeClaim pvc, bool wide, DateTimeOffset now)
    {
        var spec = pvc.Spec ?? new PersistentVolumeClaimSpec();
        var status = pvc.Status ?? new PersistentVolumeClaimStatus();
        var phase = pvc.Metadata?.DeletionTimestamp is not null ? "Terminating" : status.Phase;
        var bound = spec.VolumeName.Length > 0;
        var capacity = bound && status.Capacity.TryGetValue("storage", out var storage) ? storage : "";
        var modes = bound ? AccessModes(status.AccessModes) : "";
        List<string> cells = [phase, spec.VolumeName, capacity, modes, spec.HasStorageClassName ? spec.StorageClassName : "", HumanDuration.Since(pvc.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.Add(spec.VolumeMode.Length == 0 ? "Filesystem" : spec.VolumeMode);
        }

        return cells;
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
