using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class ConfigMapTable : TableDefinition<ConfigMap>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Data", Description: "The number of keys in data and binaryData."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(ConfigMap cm, DateTimeOffset now) =>
        [cm.Metadata?.Name ?? "", (cm.Data.Count + cm.BinaryData.Count).ToString(), HumanDuration.Since(cm.Metadata?.CreationTimestamp, now)];
}
