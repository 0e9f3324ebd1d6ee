using KubeMesh.Api.Rbac.V1;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>How an RBAC rule matches a request, as kubernetes' rbac.RuleAllows does.</summary>
public static class PolicyRules
{
    public static bool Allows(PolicyRule rule, AuthorizationAttributes a)
    {
        if (!a.IsResourceRequest)
        {
            return Has(rule.Verbs, a.Verb) && rule.NonResourceUrls.Any(url => PathMatches(url, a.Path));
        }

        var resource = a.Subresource.Length > 0 ? $"{a.Resource}/{a.Subresource}" : a.Resource;
        return Has(rule.Verbs, a.Verb)
            && Has(rule.ApiGroups, a.ApiGroup)
            && ResourceMatches(rule, resource, a.Subresource)
            && (rule.ResourceNames.Count == 0 || (a.Name.Length > 0 && rule.ResourceNames.Contains(a.Name)));
    }

    /// <summary>True when <paramref name="rules"/> together allow everything <paramref name="wanted"/> allows (RBAC's Covers), for escalation checks.</summary>
    public static bool Covers(IReadOnlyList<PolicyRule> rules, PolicyRule wanted, out PolicyRule? missing)
    {
        // Break the wanted rule into single grants, as kubernetes' BreakdownRule, and look for each.
        foreach (var atom in Breakdown(wanted))
        {
            if (!rules.Any(r => Covers(r, atom)))
            {
                missing = atom;
                return false;
            }
        }

        missing = null;
        return true;
    }

    public static string Describe(PolicyRule rule)
    {
        var parts = new List<string>();
        if (rule.ApiGroups.Count > 0)
        {
            parts.Add($"APIGroups:[{string.Join(" ", rule.ApiGroups.Select(g => $"\"{g}\""))}]");
        }

        if (rule.Resources.Count > 0)
        {
            parts.Add($"Resources:[{string.Join(" ", rule.Resources.Select(r => $"\"{r}\""))}]");
        }

        if (rule.ResourceNames.Count > 0)
        {
            parts.Add($"ResourceNames:[{string.Join(" ", rule.ResourceNames.Select(r => $"\"{r}\""))}]");
        }

        if (rule.NonResourceUrls.Count > 0)
        {
            parts.Add($"NonResourceURLs:[{string.Join(" ", rule.NonResourceUrls.Select(r => $"\"{r}\""))}]");
        }

        parts.Add($"Verbs:[{string.Join(" ", rule.Verbs.Select(v => $"\"{v}\""))}]");
        return "{" + string.Join(", ", parts) + "}";
    }

    private static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        foreach (var verb in rule.Verbs)
        {
            foreach (var url in rule.NonResourceUrls)
            {
                yield return new PolicyRule { Verbs = { verb }, NonResourceUrls = { url } };
            }

            foreach (var group in rule.ApiGroups)
            {
                foreach (var resource in rule.Resources)
                {
                    if (rule.ResourceNames.Count == 0)
                    {
                        yield return new PolicyRule { Verbs = { verb }, ApiGroups = { group }, Resources = { resource } };
                    }

                    foreach (var name in rule.ResourceNames)
                    {
                        yield return new PolicyRule { Verbs = { verb }, ApiGroups = { group }, Resources = { resource }, ResourceNames = { name } };
                    }
                }
            }
        }
    }

    /// <summary>Whether one held rule covers one single grant.</summary>
    private static bool Covers(PolicyRule held, PolicyRule atom)
    {
        if (!Has(held.Verbs, atom.Verbs[0]))
        {
            return false;
        }

        if (atom.NonResourceUrls.Count > 0)
        {
            var url = atom.NonResourceUrls[0];
            return held.NonResourceUrls.Any(h => h == url || (h.EndsWith('*') && url.StartsWith(h[..^1], StringComparison.Ordinal)));
        }

        var resource = atom.Resources[0];
        var sub = resource.Contains('/', StringComparison.Ordinal) ? resource[(resource.IndexOf('/', StringComparison.Ordinal) + 1)..] : "";
        return Has(held.ApiGroups, atom.ApiGroups[0])
            && (held.Resources.Contains(resource) || ResourceMatches(held, resource, sub))
            && (held.ResourceNames.Count == 0 || (atom.ResourceNames.Count > 0 && held.ResourceNames.Contains(atom.ResourceNames[0])));
    }

    private static bool Has(IEnumerable<string> values, string wanted) =>
        values.Any(v => v == "*" || v == wanted);

    /// <summary>"*" matches all resources and subresources; "*/scale" every scale subresource; else an exact match.</summary>
    private static bool ResourceMatches(PolicyRule rule, string resource, string subresource)
    {
        foreach (var r in rule.Resources)
        {
            if (r == "*" || r == resource || (subresource.Length > 0 && r == $"*/{subresource}"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A non-resource URL rule: "*", the exact path, or a prefix ending in "*".</summary>
    private static bool PathMatches(string rule, string path) =>
        rule == "*" || rule == path || (rule.EndsWith('*') && path.StartsWith(rule[..^1], StringComparison.Ordinal));
}
