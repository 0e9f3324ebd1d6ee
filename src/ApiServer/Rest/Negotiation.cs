using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// What the Accept header asks for beyond plain JSON: a meta.k8s.io Table (kubectl's human output) or aggregated
/// discovery v2 (kubectl's discovery). Protobuf is never served; clients that accept it also accept JSON.
/// </summary>
public static class Negotiation
{
    public const string AggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static bool WantsTable(HttpRequest request) =>
        Accepted(request).Any(m => m.Params.GetValueOrDefault("as") == "Table" && m.Params.GetValueOrDefault("g") is null or "meta.k8s.io"
            && m.Params.GetValueOrDefault("v") is null or "v1" or "v1beta1");

    /// <summary>Only v2, the version whose content type kubectl 1.32 checks, is answered aggregated.</summary>
    public static bool WantsAggregatedDiscovery(HttpRequest request) =>
        Accepted(request).Any(m => m.Params.GetValueOrDefault("as") == "APIGroupDiscoveryList"
            && m.Params.GetValueOrDefault("g") == "apidiscovery.k8s.io" && m.Params.GetValueOrDefault("v") == "v2");

    private static IEnumerable<(string Type, Dictionary<string, string> Params)> Accepted(HttpRequest request)
    {
        foreach (var header in request.Headers.Accept)
        {
            foreach (var entry in (header ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split(';', StringSplitOptions.TrimEntries);
                var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var parameter in parts.Skip(1))
                {
                    var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        parameters[parameter[..eq].Trim()] = parameter[(eq + 1)..].Trim().Trim('"');
                    }
                }

                yield return (parts[0].ToLowerInvariant(), parameters);
            }
        }
    }
}
