using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.Api.Printing;

/// <summary>cert-manager's CertificateRequest columns: Approved, Denied, Ready, Issuer, Requester; wide adds Status.</summary>
public sealed class CertificateRequestTable : TableDefinition<CertificateRequest>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Approved", Description: "The Approved condition's status."),
        new("Denied", Description: "The Denied condition's status."),
        new("Ready", Description: "The Ready condition's status."),
        new("Issuer", Description: "The issuer that signs the request."),
        new("Requester", Description: "Who created the request."),
        TableColumn.Age,
        TableColumn.Wide("Status", "The Ready condition's message."),
    ];

    protected override IReadOnlyList<string> Cells(CertificateRequest request, DateTimeOffset now)
    {
        var conditions = request.Status?.Conditions;
        return
        [
            request.Metadata?.Name ?? "",
            CertManagerColumns.Status(conditions, "Approved"), CertManagerColumns.Status(conditions, "Denied"), CertManagerColumns.Status(conditions, "Ready"),
            request.Spec?.IssuerRef?.Name ?? "", request.Spec?.Username ?? "", HumanDuration.Since(request.Metadata?.CreationTimestamp, now),
            CertManagerColumns.Message(conditions, "Ready"),
        ];
    }
}
