using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.Api.Printing;

/// <summary>cert-manager's Certificate columns: Ready, Secret; wide adds Issuer, Status and Expiration.</summary>
public sealed class CertificateTable : TableDefinition<Certificate>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Ready", Description: "The Ready condition's status."),
        new("Secret", Description: "The Secret the certificate is stored in."),
        TableColumn.Age,
        TableColumn.Wide("Issuer", "The issuer that signs the certificate."),
        TableColumn.Wide("Status", "The Ready condition's message."),
        TableColumn.Wide("Expiration", "When the certificate expires.", "date"),
    ];

    protected override IReadOnlyList<string> Cells(Certificate certificate, DateTimeOffset now)
    {
        var conditions = certificate.Status?.Conditions;
        return
        [
            certificate.Metadata?.Name ?? "", CertManagerColumns.Status(conditions, "Ready"), certificate.Spec?.SecretName ?? "",
            HumanDuration.Since(certificate.Metadata?.CreationTimestamp, now),
            certificate.Spec?.IssuerRef?.Name ?? "", CertManagerColumns.Message(conditions, "Ready"), CertManagerColumns.Time(certificate.Status?.NotAfter),
        ];
    }
}
