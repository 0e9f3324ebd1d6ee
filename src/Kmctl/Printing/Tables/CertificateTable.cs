using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>cert-manager's Certificate columns: Ready, Secret; wide adds Issuer, Status and Expiration.</summary>
public sealed class CertificateTable : TableDefinition<Certificate>
{
    public override IReadOnlyList<string> Headers => ["NAME", "READY", "SECRET", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["ISSUER", "STATUS", "EXPIRATION"];

    protected override IReadOnlyList<string> Cells(Certificate certificate, bool wide, DateTimeOffset now)
    {
        var conditions = certificate.Status?.Conditions;
        List<string> cells = [CertManagerColumns.Status(conditions, "Ready"), certificate.Spec?.SecretName ?? "", HumanDuration.Since(certificate.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.AddRange([certificate.Spec?.IssuerRef?.Name ?? "", CertManagerColumns.Message(conditions, "Ready"), CertManagerColumns.Time(certificate.Status?.NotAfter)]);
        }

        return cells;
    }
}
