using KubeMesh.Api.Acme.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>cert-manager's Challenge columns: State, Domain; wide adds Reason.</summary>
public sealed class ChallengeTable : TableDefinition<Challenge>
{
    public override IReadOnlyList<string> Headers => ["NAME", "STATE", "DOMAIN", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["REASON"];

    protected override IReadOnlyList<string> Cells(Challenge challenge, bool wide, DateTimeOffset now)
    {
        List<string> cells = [challenge.Status?.State ?? "", challenge.Spec?.DnsName ?? "", HumanDuration.Since(challenge.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.Add(challenge.Status?.Reason ?? "");
        }

        return cells;
    }
}
