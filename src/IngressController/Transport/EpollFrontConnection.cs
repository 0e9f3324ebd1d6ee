using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace KubeMesh.IngressController.Transport;

/// <summary>
/// A connection as the epoll listener's front (the controller's plain-request forwarding) sees it before Kestrel does:
/// its transport reads and writes the socket directly (<see cref="SocketPipeReader"/>, <see cref="SocketPipeWriter"/>)
/// on the loop's thread. When the front hands it over, what it received and did not consume goes to Kestrel first
/// on an <see cref="EpollConnection"/> over the same socket.
/// </summary>
internal sealed class EpollFrontConnection : EpollContext, IConnectionLifetimeNotificationFeature
{
    private readonly CancellationTokenSource _closeRequested = new();
    private int _aborted;

    public EpollFrontConnection(EpollSocket socket, EndPoint? local, EndPoint? remote, int maxHeadBytes)
        : this(socket, local, remote, new SocketPipeReader(socket, maxHeadBytes), new SocketPipeWriter(socket))
    {
    }

    private EpollFrontConnection(EpollSocket socket, EndPoint? local, EndPoint? remote, SocketPipeReader reader, SocketPipeWriter writer)
        : base('F', local, remote, new DuplexPipe(reader, writer))
    {
        Socket = socket;
        Reader = reader;
        Writer = writer;
        ConnectionClosedRequested = _closeRequested.Token;
        Features.Set<IConnectionLifetimeNotificationFeature>(this);
    }

    public EpollSocket Socket { get; }

    public SocketPipeReader Reader { get; }

    public SocketPipeWriter Writer { get; }

    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    public CancellationToken ConnectionClosedRequested { get; set; }

    /// <summary>The server is stopping: the front ends the connection between requests.</summary>
    public void RequestClose()
    {
        try
        {
            _closeRequested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended meanwhile.
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            Socket.Shutdown(EpollNative.SHUT_RDWR);
            Socket.Dispose();
        }
    }

    public override ValueTask DisposeAsync()
    {
        Reader.Complete();
        Writer.Complete();
        _closeRequested.Dispose();
        return default;
    }
}
