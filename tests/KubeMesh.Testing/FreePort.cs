using System.Net;
using System.Net.Sockets;

namespace KubeMesh.Testing;

/// <summary>Ports nothing listens on right now, on 127.0.0.1 or another loopback address.</summary>
public static class FreePort
{
    /// <summary>A free TCP port on <paramref name="address"/> (127.0.0.1 by default).</summary>
    public static int Get(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both TCP and UDP on the address (DNS serves both).</summary>
    public static int GetForTcpAndUdp(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Get(address);
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

    /// <summary>Waits until something accepts TCP connections on the port, or fails once the timeout passes.</summary>
    public static Task WaitUntilListeningAsync(IPAddress address, int port, TimeSpan timeout) =>
        Eventually.Until(() => AcceptsAsync(address, port), timeout, $"something listens on {address}:{port}");

    /// <summary>True when a TCP connection to the port succeeds now.</summary>
    public static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(address, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
