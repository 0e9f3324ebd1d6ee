using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Printing;

/// <summary>cert-manager's Issuer and ClusterIssuer columns: Ready; wide adds the Ready condition's message as Status.</summary>
public sealed class IssuerTable(ResourceKind kind) : TableDefinition
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Ready", Description: "The Ready condition's status."),
        TableColumn.Age,
        TableColumn.Wide("Status", "The Ready condition's message."),
    ];

    public override IReadOnlyList<string> Cells(IMessage obj, DateTimeOffset now)
    {
        var conditions = (kind.Status(obj) as IssuerStatus)?.Conditions;
        var metadata = kind.Metadata(obj);
        return [metadata.Name, CertManagerColumns.Status(conditions, "Ready"), HumanDuration.Since(metadata.CreationTimestamp, now), CertManagerColumns.Message(conditions, "Ready")];
    }
}
