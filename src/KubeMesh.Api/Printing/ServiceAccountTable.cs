using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class ServiceAccountTable : TableDefinition<ServiceAccount>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Secrets", "integer", Description: "The number of secrets the account lists."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(ServiceAccount sa, DateTimeOffset now) =>
        [sa.Metadata?.Name ?? "", sa.Secrets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), HumanDuration.Since(sa.Metadata?.CreationTimestamp, now)];
}
