using System.Net;

namespace KubeMesh.Images;

/// <summary>
/// Where a built-in image listens. Pods share the node's network namespace, so a server asking for
/// every address (":80", "0.0.0.0:80") binds its pod's IP instead; the kubelet passes that IP in
/// KUBEMESH_POD_IP. Two pods on one node can then both serve port 80.
/// </summary>
internal static class ListenEndpoint
{
    public const string PodIpVariable = "KUBEMESH_POD_IP";

    public static IPEndPoint Resolve(string listen)
    {
        var colon = listen.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(listen[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"invalid listen address '{listen}': expected [HOST]:PORT");
        }

        var host = listen[..colon].Trim('[', ']');
        var address = host is "" or "0.0.0.0" or "::" ? PodAddress() : IPAddress.Parse(host);
        return new IPEndPoint(address, port);
    }

    private static IPAddress PodAddress()
    {
        var podIp = Environment.GetEnvironmentVariable(PodIpVariable);
        return string.IsNullOrEmpty(podIp) ? IPAddress.Loopback : IPAddress.Parse(podIp);
    }
}
