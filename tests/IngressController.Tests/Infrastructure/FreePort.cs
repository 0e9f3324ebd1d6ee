using System.Net;
using System.Net.Sockets;

namespace KubeMesh.IngressController.Tests.Infrastructure;

internal static class FreePort
{
    public static int Next(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
