using System.Net;
using System.Net.Sockets;

namespace KubeMesh.Testing;

/// <summary>Ports nothing listens on right now, on 127.0.0.1 or another loopback address.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// Ports below or above the kernel's ephemeral range (net.ipv4.ip_local_port_range). A port the kernel hands out
    /// for "port 0" is also one it hands to any outgoing connection as its source port, so between the moment a test
    /// is given it and the moment a server binds it, a client connecting anywhere can take it (seen as "address
    /// already in use"). Ports outside that range are only ever taken by someone binding them on purpose.
    /// </summary>
    private static readonly (int First, int Last)[] Outside = OutsideEphemeralRange();

    /// <summary>
    /// A free TCP port on <paramref name="address"/> (127.0.0.1 by default), never the same one twice in this process:
    /// a cluster's many components are given their ports before any of them binds, and the kernel may hand back a
    /// port it just handed out.
    /// </summary>
    public static int Get(IPAddress? address = null) => GetRun(1, address ?? IPAddress.Loopback);

    private static int GetRun(int count, IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            var first = Outside.Length > 0 && attempt < 1000 ? Pick(count) : KernelPort(address);
            if (first + count - 1 > 65535)
            {
                continue;
            }

            lock (Given)
            {
                if (Enumerable.Range(first, count).Any(Given.Contains) || !CanBind(address, first, count))
                {
                    continue;
                }

                foreach (var port in Enumerable.Range(first, count))
                {
                    Given.Add(port);
                }

                return first;
            }
        }
    }

    private static int Pick(int count)
    {
        var size = Outside.Sum(r => r.Last - r.First + 1);
        var n = Random.Shared.Next(size);
        foreach (var (first, last) in Outside)
        {
            if (n <= last - first)
            {
                return Math.Min(first + n, last - count + 1);
            }

            n -= last - first + 1;
        }

        return Outside[0].First;
    }

    private static int KernelPort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(IPAddress address, int first, int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var port = first; port < first + count; port++)
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                listeners.Add(listener);
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static (int First, int Last)[] OutsideEphemeralRange()
    {
        const int Lowest = 10000;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse).ToArray();
            var below = (First: Lowest, Last: range[0] - 1);
            var above = (First: range[1] + 1, Last: 65535);
            return new[] { below, above }.Where(r => r.Last - r.First >= 1000).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return [];
        }
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

    /// <summary>The first of <paramref name="count"/> consecutive free ports, for replicas numbered from a base port.</summary>
    public static int Consecutive(int count) => GetRun(count, IPAddress.Loopback);
}
