using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace KubeMesh.IngressController.Routing;

/// <summary>
/// Finishes the matching that route templates and host metadata only approximate: case-sensitive and exact paths,
/// regular-expression paths, single-label wildcard hosts, and no proxying on the health port. Candidates are
/// already in priority order (route Order), so the first valid one is the longest matching rule.
/// </summary>
internal sealed class IngressMatcherPolicy(int healthPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    // After host and HTTP method matching have narrowed the candidates.
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IngressRoutePolicy>() is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onHealthPort = httpContext.Connection.LocalPort == healthPort;
        var path = httpContext.Request.Path.Value ?? "/";
        var host = httpContext.Request.Host.Value ?? "";
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)
                || candidates[i].Endpoint.Metadata.GetMetadata<IngressRoutePolicy>() is not { } policy)
            {
                continue;
            }

            if (onHealthPort || !policy.Host.Matches(host) || !policy.Path.Matches(path))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
