using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>
/// A matcher policy that takes part in nothing but can hold up the build of ASP.NET Core routing's matcher: once
/// armed with a host, the first build that sees one of that host's endpoints waits, as the build of a large
/// configuration does on a busy machine. The matcher is rebuilt in the endpoints' change callback, and routing
/// keeps matching with the previous one until the build is done.
/// </summary>
public sealed class SlowMatcherBuilds : MatcherPolicy, IEndpointSelectorPolicy
{
    private string? _host;
    private TimeSpan _delay;

    public override int Order => int.MaxValue;

    /// <summary>The next matcher build that sees an endpoint for <paramref name="host"/> waits <paramref name="delay"/>.</summary>
    public void Arm(string host, TimeSpan delay)
    {
        _delay = delay;
        Volatile.Write(ref _host, host);
    }

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        if (Volatile.Read(ref _host) is { } host
            && endpoints.Any(e => e.Metadata.GetMetadata<IHostMetadata>()?.Hosts.Contains(host) == true)
            && Interlocked.CompareExchange(ref _host, null, host) == host)
        {
            Thread.Sleep(_delay);
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates) => Task.CompletedTask;
}
