using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using KubeMesh.IngressController.Proxy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using static KubeMesh.IngressController.Transport.EpollNative;

namespace KubeMesh.IngressController.Transport;

/// <summary>An endpoint Kestrel binds with the epoll transport (<see cref="EpollTransportFactory"/>); every other endpoint keeps Kestrel's sockets.</summary>
internal sealed class EpollEndPoint(IPAddress address, int port) : IPEndPoint(address, port);

/// <summary>
/// Kestrel's transport for the endpoints marked <see cref="EpollEndPoint"/> (the HTTP port): connections accepted and
/// served on the controller's own epoll loops, one per core, instead of .NET's socket engine. Registered after
/// Kestrel's socket transport, so Kestrel asks it first; it takes only the marked endpoints.
/// </summary>
internal sealed partial class EpollTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    public EpollTransportFactory(IOptions<SocketTransportOptions> options, IServiceProvider services, ILogger<EpollTransportFactory> logger)
    {
        _options = options.Value;
        _services = services;
        _logger = logger;
        EpollEngine.OnError(exception => Log.LoopError(logger, exception));
    }

    public bool CanBind(EndPoint endpoint) => endpoint is EpollEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint address)
        {
            throw new NotSupportedException($"The epoll transport binds IP endpoints only, not {endpoint}.");
        }

        var pool = _services.GetService<IMemoryPoolFactory<byte>>()?.Create(new MemoryPoolOptions { Owner = "ingress-epoll" }) ?? MemoryPool<byte>.Shared;

        // Resolved now, once the application (and the routes it forwards by) is built.
        var forwarding = _services.GetService<ConnectionForwarding>();
        var front = forwarding is null ? null : new EpollFront(forwarding.ServeAsync, forwarding.MaxHeadBytes);
        var listener = new EpollConnectionListener(address, pool, _options.MaxReadBufferSize ?? 0, _options.MaxWriteBufferSize ?? 0, _logger, front);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "An epoll loop's handler failed.")]
        public static partial void LoopError(ILogger logger, Exception exception);
    }
}

/// <summary>
/// What serves an accepted connection on its loop before Kestrel (<see cref="ConnectionForwarding.ServeAsync"/>), over
/// an <see cref="EpollFrontConnection"/>: it calls its second argument to hand the connection over to Kestrel. Its
/// reads may hold up to <paramref name="MaxHeadBytes"/> unconsumed.
/// </summary>
internal sealed record EpollFront(Func<ConnectionContext, ConnectionDelegate, Task> Serve, int MaxHeadBytes);

/// <summary>
/// A listening socket watched by every epoll loop (EPOLLEXCLUSIVE: one loop is woken per arrival, as nginx's workers
/// with accept_mutex off). The loop that accepts a connection serves it: first the front, if there is one, straight
/// on the socket; then, if the front hands it over, Kestrel, which takes it from <see cref="AcceptAsync"/>.
/// </summary>
internal sealed partial class EpollConnectionListener : IConnectionListener
{
    // accept4 per wake-up at most, so one loop does not take a whole burst from the others.
    private const int AcceptBatch = 16;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly MemoryPool<byte> _pool;
    private readonly long _maxRead;
    private readonly long _maxWrite;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<EpollConnection> _accepted = Channel.CreateUnbounded<EpollConnection>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(EpollLoop Loop, AcceptHandle Handle)> _registrations = [];
    private readonly HashSet<EpollFrontConnection> _fronts = [];
    private readonly EpollFront? _front;
    private bool _unbound;

    public EpollConnectionListener(IPEndPoint endpoint, MemoryPool<byte> pool, long maxRead, long maxWrite, ILogger logger, EpollFront? front = null)
    {
        _front = front;
        _pool = pool;
        _maxRead = maxRead;
        _maxWrite = maxWrite;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.Bind(new IPEndPoint(endpoint.Address, endpoint.Port));
            _socket.Listen(512);
            _socket.Blocking = false;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _socket.Dispose();
            throw new AddressInUseException(exception.Message, exception);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        EndPoint = _socket.LocalEndPoint!;
        _fd = (int)_socket.Handle;
        foreach (var loop in EpollEngine.All)
        {
            Watch(loop);
        }
    }

    /// <summary><paramref name="loop"/> accepts from the listening socket from here on.</summary>
    private void Watch(EpollLoop loop)
    {
        var handle = new AcceptHandle(this, loop);
        loop.Register(handle, _fd, EPOLLIN | EPOLLEXCLUSIVE);
        _registrations.Add((loop, handle));
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_accepted.Reader.TryRead(out var connection))
            {
                return connection;
            }
        }

        return null;
    }

    private unsafe void Accept(EpollLoop loop)
    {
        for (var i = 0; i < AcceptBatch; i++)
        {
            var address = NewAddress();
            var length = address.Size;
            int fd;
            int errno;
            lock (_gate)
            {
                if (_unbound)
                {
                    return;
                }

                fixed (byte* name = address.Buffer.Span)
                {
                    fd = EpollNative.Accept(_fd, name, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
                }

                errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            }

            if (fd < 0)
            {
                if (errno == EAGAIN)
                {
                    return;
                }

                if (errno is EINTR or 103 /* ECONNABORTED: gone before it was accepted */)
                {
                    continue;
                }

                // Out of fds (EMFILE, ENFILE) or memory: this loop stops listening for a moment, or it would be woken
                // for the same waiting connection over and over.
                Log.AcceptFailed(_logger, errno);
                PauseAccepting(loop);
                return;
            }

            Serve(fd, EndPointOf(address, length), loop);
        }
    }

    private void Serve(int fd, IPEndPoint remote, EpollLoop loop)
    {
        EpollSocket socket;
        try
        {
            SetNoDelay(fd);
            socket = EpollSocket.Adopt(fd, loop);
        }
        catch (Exception exception)
        {
            Log.ServeFailed(_logger, exception);
            return;
        }

        var local = LocalAddress(fd) ?? EndPoint;
        if (_front is { } front)
        {
            var served = new EpollFrontConnection(socket, local, remote, front.MaxHeadBytes + 4096);
            lock (_gate)
            {
                if (!_unbound)
                {
                    _fronts.Add(served);
                    _ = RunFrontAsync(front, served);
                    return;
                }
            }

            served.Abort(new ConnectionAbortedException("The listener was stopped."));
            return;
        }

        GiveToKestrel(socket, local, remote, ReadOnlySpan<byte>.Empty, servedByFront: false);
    }

    private void GiveToKestrel(EpollSocket socket, EndPoint? local, EndPoint? remote, ReadOnlySpan<byte> received, bool servedByFront)
    {
        var connection = new EpollConnection(socket, local, remote, _pool, _maxRead, _maxWrite, _logger) { ServedByFront = servedByFront };
        connection.Start(received);
        if (!_accepted.Writer.TryWrite(connection))
        {
            // Unbound meanwhile.
            connection.Abort(new ConnectionAbortedException("The listener was stopped."));
        }
    }

    /// <summary>The front serves the connection on this loop; if it hands it over, Kestrel gets it with what the front left unread.</summary>
    private async Task RunFrontAsync(EpollFront front, EpollFrontConnection connection)
    {
        var handOver = false;
        try
        {
            await front.Serve(connection, _ =>
            {
                handOver = true;
                return Task.CompletedTask;
            });
        }
        catch (Exception exception)
        {
            Log.FrontFailed(_logger, exception);
            handOver = false;
        }

        lock (_gate)
        {
            _fronts.Remove(connection);
        }

        if (handOver && !connection.IsAborted && !connection.Socket.IsClosed)
        {
            GiveToKestrel(connection.Socket, connection.LocalEndPoint, connection.RemoteEndPoint, connection.Reader.Unconsumed, servedByFront: true);
        }
        else
        {
            connection.Abort(new ConnectionAbortedException("The connection ended."));
        }

        await connection.DisposeAsync();
    }

    private static unsafe IPEndPoint? LocalAddress(int fd)
    {
        var address = NewAddress();
        var length = address.Size;
        fixed (byte* name = address.Buffer.Span)
        {
            if (GetSocketName(fd, name, &length) != 0)
            {
                return null;
            }
        }

        return EndPointOf(address, length);
    }

    private void PauseAccepting(EpollLoop loop)
    {
        lock (_gate)
        {
            var index = _registrations.FindIndex(r => r.Loop == loop);
            if (_unbound || index < 0)
            {
                return;
            }

            loop.Unregister(_registrations[index].Handle, _fd);
            _registrations.RemoveAt(index);
        }

        _ = Task.Delay(TimeSpan.FromMilliseconds(100)).ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (!_unbound)
                {
                    Watch(loop);
                }
            }
        }, TaskScheduler.Default);
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        EpollFrontConnection[] fronts;
        lock (_gate)
        {
            if (_unbound)
            {
                return default;
            }

            _unbound = true;
            foreach (var (loop, handle) in _registrations)
            {
                loop.Unregister(handle, _fd);
            }

            _registrations.Clear();
            _socket.Dispose();
            fronts = [.. _fronts];
        }

        // Served connections end between requests, as Kestrel asks its own to.
        foreach (var connection in fronts)
        {
            connection.RequestClose();
        }

        _accepted.Writer.TryComplete();
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();

        // Still served by the front when the server stops for good.
        EpollFrontConnection[] fronts;
        lock (_gate)
        {
            fronts = [.. _fronts];
        }

        foreach (var connection in fronts)
        {
            connection.Abort(new ConnectionAbortedException("The server stopped."));
        }

        // Accepted and never taken by Kestrel.
        while (_accepted.Reader.TryRead(out var connection))
        {
            connection.Abort(new ConnectionAbortedException("The listener was stopped."));
            await connection.DisposeAsync();
        }

        if (_pool != MemoryPool<byte>.Shared)
        {
            _pool.Dispose();
        }
    }

    private sealed class AcceptHandle(EpollConnectionListener listener, EpollLoop loop) : EpollHandle
    {
        public override void OnEvents(uint events) => listener.Accept(loop);
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Warning, "Accepting a connection failed (errno {Errno}); this loop stops accepting for 100 ms.")]
        public static partial void AcceptFailed(ILogger logger, int errno);

        [LoggerMessage(4, LogLevel.Error, "Serving a connection before Kestrel failed.")]
        public static partial void FrontFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Serving an accepted connection failed.")]
        public static partial void ServeFailed(ILogger logger, Exception exception);
    }
}
