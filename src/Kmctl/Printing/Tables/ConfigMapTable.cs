using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class ConfigMapTable : TableDefinition<ConfigMap>
{
    public override IReadOnlyList<string> Headers => ["NAME", "DATA", "AGE"];

    protected override IReadOnlyList<string> Cells(ConfigMap cm, bool wide, DateTimeOffset now) =>
        [(cm.Data.Count + cm.BinaryData.Count).ToString(), HumanDuration.Since(cm.Metadata?.CreationTimestamp, now)];
}
