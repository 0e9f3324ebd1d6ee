using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using KubeMesh.IngressController.Transport;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The idle keep-alive connections to one pod address, most recently used first (their buffers are warm and the
/// rest can time out), as nginx's upstream keepalive cache. There is no cap on connections: like the previous
/// HttpClient setting, a pod gets as many as there are requests in flight. On the epoll loops each loop keeps its
/// own idle list, as each nginx worker keeps its own cache: a request on a loop takes a connection whose events that
/// loop handles, so the whole exchange runs on one thread, and the loops share nothing but the pool's entry.
/// </summary>
internal sealed class Http1ConnectionPool(string key, EndPoint endPoint, UpstreamSettings settings)
{
    private readonly Lock _lock = new();
    private readonly Stack<Http1Connection>[] _idle = [.. Enumerable.Range(0, settings.Epoll ? EpollEngine.Count : 1).Select(_ => new Stack<Http1Connection>())];
    private readonly long _keepAliveMs = (long)settings.KeepAliveTimeout.TotalMilliseconds;
    private readonly long _staleCheckMs = (long)settings.StaleCheckAfter.TotalMilliseconds;
    private bool _closed;

    /// <summary>The pod's authority, host:port, as in the destination address.</summary>
    public string Key { get; } = key;

    public UpstreamSettings Settings { get; } = settings;

    /// <summary>Environment.TickCount64 when a request last asked for a connection.</summary>
    public long LastUsed { get; private set; } = Environment.TickCount64;

    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Sum(lane => lane.Count);
            }
        }
    }

    /// <summary>The most recently used idle connection that is still good, or null.</summary>
    public Http1Connection? RentIdle()
    {
        var now = LastUsed = Environment.TickCount64;
        var loop = EpollLoop.Current;
        while (true)
        {
            Http1Connection? connection;
            lock (_lock)
            {
                if (!TakeIdle(loop, out connection))
                {
                    return null;
                }
            }

            var idle = now - connection.IdleSince;
            if (idle <= _keepAliveMs && (idle <= _staleCheckMs || !connection.IsStale()))
            {
                return connection;
            }

            connection.Abort();
        }
    }

    /// <summary>From the calling loop's own list; a caller on no loop (YARP's forwarder on .NET's threads) takes from any.</summary>
    private bool TakeIdle(EpollLoop? loop, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Http1Connection? connection)
    {
        if (loop is not null && loop.Index < _idle.Length)
        {
            return _idle[loop.Index].TryPop(out connection);
        }

        foreach (var lane in _idle)
        {
            if (lane.TryPop(out connection))
            {
                return true;
            }
        }

        connection = null;
        return false;
    }

    /// <summary>
    /// Runs <paramref name="exchange"/> on a connection to the pod (the most recently used idle one, else a new one),
    /// and again on another while the one it took proves stale: closed by the pod before any of the request could
    /// matter to it (<see cref="StaleConnectionException"/>).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> ExchangeAsync<TState, T>(TState state, Func<Http1Connection, TState, CancellationToken, ValueTask<T>> exchange,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var connection = RentIdle() ?? await ConnectAsync(cancellationToken);
            try
            {
                return await exchange(connection, state, cancellationToken);
            }
            catch (StaleConnectionException)
            {
                // The next try takes another connection, or a new one.
            }
        }
    }

    public async ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.ConnectTimeout);
        try
        {
            return new Http1Connection(this, await ConnectSocketAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TaskCanceledException($"Connecting to {Key} timed out after {Settings.ConnectTimeout.TotalSeconds:0.###} s.",
                new TimeoutException());
        }
        catch (SocketException exception)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{exception.Message} ({Key})", exception);
        }
    }

    /// <summary>On the controller's epoll loops when <see cref="UpstreamSettings.Epoll"/> and the address is an IP address, else a .NET socket.</summary>
    private async ValueTask<IUpstreamSocket> ConnectSocketAsync(CancellationToken cancellationToken)
    {
        if (Settings.Epoll && endPoint is IPEndPoint address)
        {
            return await EpollSocket.ConnectAsync(address, cancellationToken);
        }

        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetUpstreamSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Return(Http1Connection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        lock (_lock)
        {
            if (!_closed)
            {
                _idle[connection.Lane < _idle.Length ? connection.Lane : 0].Push(connection);
                return;
            }
        }

        connection.Abort();
    }

    /// <summary>Closes the connections idle past the keep-alive timeout; with <paramref name="retire"/>, a pool left
    /// with none and unused as long is closed for good (the pod is likely gone) and true is returned.</summary>
    public bool CloseExpired(long now, bool retire)
    {
        List<Http1Connection> expired = [];
        lock (_lock)
        {
            foreach (var lane in _idle)
            {
                // Most recently used first; the ones past the timeout are at the bottom.
                var idle = lane.ToArray();
                if (!idle.Any(c => now - c.IdleSince > _keepAliveMs))
                {
                    continue;
                }

                expired.AddRange(idle.Where(c => now - c.IdleSince > _keepAliveMs));
                lane.Clear();
                foreach (var connection in idle.Reverse().Where(c => now - c.IdleSince <= _keepAliveMs))
                {
                    lane.Push(connection);
                }
            }

            _closed = retire && _idle.All(lane => lane.Count == 0) && now - LastUsed > _keepAliveMs;
        }

        foreach (var connection in expired)
        {
            connection.Abort();
        }

        return _closed;
    }
}
