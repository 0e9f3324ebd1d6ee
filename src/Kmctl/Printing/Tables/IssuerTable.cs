using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>cert-manager's Issuer and ClusterIssuer columns: Ready; wide adds the Ready condition's message as Status.</summary>
public sealed class IssuerTable(ResourceKind kind) : TableDefinition
{
    public override IReadOnlyList<string> Headers => ["NAME", "READY", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["STATUS"];

    public override IReadOnlyList<string> Cells(IMessage obj, bool wide, DateTimeOffset now)
    {
        var conditions = (kind.Status(obj) as IssuerStatus)?.Conditions;
        List<string> cells = [CertManagerColumns.Status(conditions, "Ready"), HumanDuration.Since(kind.Metadata(obj).CreationTimestamp, now)];
        if (wide)
        {
            cells.Add(CertManagerColumns.Message(conditions, "Ready"));
        }

        return cells;
    }
}
