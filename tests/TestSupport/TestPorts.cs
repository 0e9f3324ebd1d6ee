using System.Net;
using System.Net.Sockets;

namespace KubeMesh.Testing;

/// <summary>Free loopback ports and waits for something to listen, always with a deadline.</summary>
public static class TestPorts
{
    public static int Next(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both TCP and UDP on the address (DNS serves both).</summary>
    public static int NextForTcpAndUdp(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Next(address);
            try
            {
                using var udp = new UdpClient(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public static async Task WaitForListenerAsync(IPAddress address, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
