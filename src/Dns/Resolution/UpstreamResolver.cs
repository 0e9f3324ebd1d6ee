using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Resolution;

/// <summary>Where names outside the cluster are asked: Dns:Upstream, else the host's /etc/resolv.conf nameserver.</summary>
public static class UpstreamResolver
{
    public static IPEndPoint Resolve(IOptions<DnsOptions> options, string resolvConfPath = "/etc/resolv.conf")
    {
        var configured = options.Value.Upstream;
        if (configured.Length > 0)
        {
            return IPEndPoint.TryParse(configured, out var endpoint)
                ? new IPEndPoint(endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port)
                : throw new FormatException($"Dns:Upstream \"{configured}\" is not an address or address:port");
        }

        var nameserver = File.Exists(resolvConfPath)
            ? File.ReadLines(resolvConfPath)
                .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length >= 2 && p[0] == "nameserver" && IPAddress.TryParse(p[1], out _))
                .Select(p => IPAddress.Parse(p[1]))
                .FirstOrDefault()
            : null;
        return new IPEndPoint(nameserver ?? IPAddress.Loopback, NameServer.DefaultPort);
    }
}
