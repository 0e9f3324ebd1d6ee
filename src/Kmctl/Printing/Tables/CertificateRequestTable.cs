using KubeMesh.Api.CertManager.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>cert-manager's CertificateRequest columns: Approved, Denied, Ready, Issuer, Requester; wide adds Status.</summary>
public sealed class CertificateRequestTable : TableDefinition<CertificateRequest>
{
    public override IReadOnlyList<string> Headers => ["NAME", "APPROVED", "DENIED", "READY", "ISSUER", "REQUESTER", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["STATUS"];

    protected override IReadOnlyList<string> Cells(CertificateRequest request, bool wide, DateTimeOffset now)
    {
        var conditions = request.Status?.Conditions;
        List<string> cells =
        [
            CertManagerColumns.Status(conditions, "Approved"), CertManagerColumns.Status(conditions, "Denied"), CertManagerColumns.Status(conditions, "Ready"),
            request.Spec?.IssuerRef?.Name ?? "", request.Spec?.Username ?? "", HumanDuration.Since(request.Metadata?.CreationTimestamp, now),
        ];
        if (wide)
        {
            cells.Add(CertManagerColumns.Message(conditions, "Ready"));
        }

        return cells;
    }
}
