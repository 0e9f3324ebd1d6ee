using System.Net;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Proxy.Backends;

/// <summary>
/// The ready backends of a service port from its Endpoints: the subset port with the service port's
/// name carries the resolved target port (a named targetPort is already a number there).
/// </summary>
public static class EndpointsResolver
{
    public static IReadOnlyList<IPEndPoint> ReadyBackends(Endpoints? endpoints, ServicePort port)
    {
        if (endpoints is null)
        {
            return [];
        }

        var result = new List<IPEndPoint>();
        foreach (var subset in endpoints.Subsets)
        {
            var match = subset.Ports.FirstOrDefault(p => p.Name == port.Name && Protocol(p.Protocol) == Protocol(port.Protocol));
            if (match is null)
            {
                continue;
            }

            foreach (var address in subset.Addresses)
            {
                if (IPAddress.TryParse(address.Ip, out var ip))
                {
                    result.Add(new IPEndPoint(ip, match.Port));
                }
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return result;
    }

    private static string Protocol(string protocol) => protocol.Length == 0 ? "TCP" : protocol;
}
