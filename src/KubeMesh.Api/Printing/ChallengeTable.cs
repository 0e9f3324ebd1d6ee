using KubeMesh.Api.Acme.V1;

namespace KubeMesh.Api.Printing;

/// <summary>cert-manager's Challenge columns: State, Domain; wide adds Reason.</summary>
public sealed class ChallengeTable : TableDefinition<Challenge>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("State", Description: "The challenge's state at the ACME server."),
        new("Domain", Description: "The DNS name the challenge proves control of."),
        TableColumn.Age,
        TableColumn.Wide("Reason", "Why the challenge is in its state."),
    ];

    protected override IReadOnlyList<string> Cells(Challenge challenge, DateTimeOffset now) =>
    [
        challenge.Metadata?.Name ?? "", challenge.Status?.State ?? "", challenge.Spec?.DnsName ?? "",
        HumanDuration.Since(challenge.Metadata?.CreationTimestamp, now), challenge.Status?.Reason ?? "",
    ];
}
