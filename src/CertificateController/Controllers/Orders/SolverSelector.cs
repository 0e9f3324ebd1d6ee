using KubeMesh.Api.Acme.V1;

namespace KubeMesh.CertificateController.Controllers.Orders;

/// <summary>
/// Picks the solver for one name as cert-manager's order controller does (acmeorders/selectors): a solver whose
/// selector lists the name exactly beats one whose dnsZones hold it (the longest zone winning), which beats one
/// matching only by labels, which beats one without a selector; more matching labels win a tie. Only HTTP-01
/// solvers are served, and HTTP-01 cannot validate a wildcard name.
/// </summary>
internal static class SolverSelector
{
    public static ACMEChallengeSolver? Select(IEnumerable<ACMEChallengeSolver> solvers, string dnsName, bool wildcard, IReadOnlyDictionary<string, string> labels)
    {
        if (wildcard)
        {
            return null;
        }

        ACMEChallengeSolver? best = null;
        var bestScore = (-1, -1, -1);
        foreach (var solver in solvers.Where(s => s.Http01?.Ingress is not null))
        {
            if (Score(solver.Selector, dnsName, labels) is { } score && score.CompareTo(bestScore) > 0)
            {
                best = solver;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>(how the name matched: 3 exact, 2 zone, 1 labels only, 0 no selector; zone length; labels matched), or null.</summary>
    private static (int Kind, int Zone, int Labels)? Score(CertificateDNSNameSelector? selector, string dnsName, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null || (selector.DnsNames.Count == 0 && selector.DnsZones.Count == 0 && selector.MatchLabels.Count == 0))
        {
            return (0, 0, 0);
        }

        if (selector.MatchLabels.Any(l => labels.GetValueOrDefault(l.Key) != l.Value))
        {
            return null;
        }

        var labelCount = selector.MatchLabels.Count;
        if (selector.DnsNames.Contains(dnsName, StringComparer.OrdinalIgnoreCase))
        {
            return (3, 0, labelCount);
        }

        var zone = selector.DnsZones
            .Where(z => dnsName.Equals(z, StringComparison.OrdinalIgnoreCase) || dnsName.EndsWith("." + z, StringComparison.OrdinalIgnoreCase))
            .Select(z => z.Length).DefaultIfEmpty(-1).Max();
        if (zone >= 0)
        {
            return (2, zone, labelCount);
        }

        return selector.DnsNames.Count == 0 && selector.DnsZones.Count == 0 ? (1, 0, labelCount) : null;
    }
}
