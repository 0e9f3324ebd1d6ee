using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class SecretTable : TableDefinition<Secret>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Type", Description: "The type of the secret's data."), new("Data", Description: "The number of keys in data."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(Secret secret, DateTimeOffset now) =>
    [
        secret.Metadata?.Name ?? "",
        secret.Type.Length == 0 ? "Opaque" : secret.Type,
        secret.Data.Keys.Union(secret.StringData.Keys).Count().ToString(),
        HumanDuration.Since(secret.Metadata?.CreationTimestamp, now),
    ];
}
