using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Routing;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// Flattens the ingresses (oldest first) into one rule per host and path, plus a fallback per host and the
/// catch-all server's, as ingress-nginx merges them into its servers and locations.
/// </summary>
internal static class IngressRuleCollector
{
    public static List<IngressRule> Collect(IReadOnlyList<Ingress> ingresses, BuildContext context)
    {
        var rules = new List<IngressRule>();
        var seen = new HashSet<(string, PathMatchKind, string)>();
        var fallbacks = new Dictionary<string, IngressRule>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < ingresses.Count; index++)
        {
            var ingress = ingresses[index];
            var annotations = IngressAnnotations.Parse(ingress, context.Global);
            var defaultBackend = ingress.Spec?.DefaultBackend?.Service;
            foreach (var rule in ingress.Spec?.Rules ?? [])
            {
                var host = new HostMatch(rule.Host.ToLowerInvariant());
                foreach (var path in rule.Http?.Paths ?? [])
                {
                    if (path.Backend?.Service is not { } backend)
                    {
                        context.Warn(ingress, $"path {path.Path}: only service backends are supported");
                        continue;
                    }

                    if (!TryMatch(path, annotations, out var match, out var error))
                    {
                        context.Warn(ingress, $"path {path.Path}: {error}");
                        continue;
                    }

                    // Two ingresses claiming the same host and path: the older one keeps it, as in ingress-nginx.
                    if (seen.Add((host.Host, match.Kind, match.Path)))
                    {
                        rules.Add(new IngressRule(ingress, index, annotations, host, match, path.Path is { Length: > 0 } p ? p : "/", backend, false));
                    }
                }

                if (!host.IsAny && (!fallbacks.TryGetValue(host.Host, out var existing) || (existing.Backend is null && defaultBackend is not null)))
                {
                    fallbacks[host.Host] = new IngressRule(ingress, index, annotations, host, PathMatch.Any, "/", defaultBackend, true);
                }
            }

            // As ingress-nginx: only an ingress without rules takes over the catch-all server with its default backend.
            if (defaultBackend is not null && ingress.Spec!.Rules.Count == 0 && !fallbacks.ContainsKey(""))
            {
                fallbacks[""] = new IngressRule(ingress, index, annotations, new HostMatch(""), PathMatch.Any, "/", defaultBackend, true);
            }
        }

        rules.AddRange(fallbacks.Values);
        rules.Sort(IngressRule.Compare);
        return rules;
    }

    private static bool TryMatch(HTTPIngressPath path, IngressAnnotations annotations, out PathMatch match, out string? error)
    {
        error = null;
        var value = path.Path is { Length: > 0 } p ? p : "/";
        match = PathMatch.Any;
        if (path.PathType == "Exact")
        {
            match = PathMatch.Exact(value);
            return true;
        }

        // As ingress-nginx: rewrite-target makes the paths regular expressions too (case-insensitive, anchored at
        // the start, no path-segment boundary), so with rule /api "/apix" goes to the /api backend as well.
        if (!annotations.UseRegex && annotations.RewriteTarget is null)
        {
            match = PathMatch.Prefix(value);
            return true;
        }

        try
        {
            match = PathMatch.ForRegex(value);
            return true;
        }
        catch (ArgumentException e)
        {
            error = "invalid regular expression: " + e.Message;
            return false;
        }
    }
}
