using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Printing;

/// <summary>NAME AGE, what kubectl prints for a kind without its own columns.</summary>
public sealed class GenericTable(ResourceKind kind) : TableDefinition
{
    public override IReadOnlyList<TableColumn> Columns { get; } = [TableColumn.ObjectName, TableColumn.Age];

    public override IReadOnlyList<string> Cells(IMessage obj, DateTimeOffset now)
    {
        var meta = kind.Metadata(obj);
        return [meta.Name, HumanDuration.Since(meta.CreationTimestamp, now)];
    }
}
