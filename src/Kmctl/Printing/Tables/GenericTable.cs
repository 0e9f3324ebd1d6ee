using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>NAME AGE, what kubectl prints for a kind without its own columns.</summary>
public sealed class GenericTable(ResourceKind kind) : TableDefinition
{
    public override IReadOnlyList<string> Headers => ["NAME", "AGE"];

    public override IReadOnlyList<string> Cells(IMessage obj, bool wide, DateTimeOffset now) =>
        [HumanDuration.Since(kind.Metadata(obj).CreationTimestamp, now)];
}
