using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class SecretTable : TableDefinition<Secret>
{
    public override IReadOnlyList<string> Headers => ["NAME", "TYPE", "DATA", "AGE"];

    protected override IReadOnlyList<string> Cells(Secret secret, bool wide, DateTimeOffset now) =>
    [
        secret.Type.Length == 0 ? "Opaque" : secret.Type,
        secret.Data.Keys.Union(secret.StringData.Keys).Count().ToString(),
        HumanDuration.Since(secret.Metadata?.CreationTimestamp, now),
    ];
}
