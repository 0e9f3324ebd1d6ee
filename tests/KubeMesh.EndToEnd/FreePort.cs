using System.Net;
using System.Net.Sockets;

namespace KubeMesh.EndToEnd;

/// <summary>
/// A port nothing listens on, never the same one twice in this process: the cluster's many components are given
/// their ports before any of them binds, and the kernel may hand back a port it just handed out.
/// </summary>
internal static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
