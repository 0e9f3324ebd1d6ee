using System.Net.Sockets;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The socket under an <see cref="Http1Connection"/>: the controller's own epoll socket
/// (<see cref="Transport.EpollSocket"/>), or .NET's where epoll is off or the pod's address is not an IP address.
/// </summary>
internal interface IUpstreamSocket : IDisposable
{
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends all of <paramref name="data"/>; returns its length.</summary>
    ValueTask<int> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Whether the pod closed the connection (or sent something unasked) while it sat idle.</summary>
    bool IsStale();

    /// <summary>Which idle list of its pool the connection goes back to: its epoll loop's, or 0.</summary>
    int Lane { get; }
}

/// <summary>A .NET socket as an <see cref="IUpstreamSocket"/>.</summary>
internal sealed class NetUpstreamSocket(Socket socket) : IUpstreamSocket
{
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var length = data.Length;
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }

        return length;
    }

    public bool IsStale() => socket.Poll(0, SelectMode.SelectRead) || !socket.Connected;

    public int Lane => 0;

    public void Dispose() => socket.Dispose();
}
