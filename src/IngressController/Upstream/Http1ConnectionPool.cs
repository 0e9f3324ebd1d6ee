using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The idle keep-alive connections to one pod address, most recently used first (their buffers are warm and the
/// rest can time out), as nginx's upstream keepalive cache. There is no cap on connections: like the previous
/// HttpClient setting, a pod gets as many as there are requests in flight.
/// </summary>
internal sealed class Http1ConnectionPool(string key, EndPoint endPoint, UpstreamSettings settings)
{
    private readonly Lock _lock = new();
    private readonly Stack<Http1Connection> _idle = new();
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
                return _idle.Count;
            }
        }
    }

    /// <summary>The most recently used idle connection that is still good, or null.</summary>
    public Http1Connection? RentIdle()
    {
        var now = LastUsed = Environment.TickCount64;
        while (true)
        {
            Http1Connection? connection;
            lock (_lock)
            {
                if (!_idle.TryPop(out connection))
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
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(endPoint, timeout.Token);
            return new Http1Connection(this, socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TaskCanceledException($"Connecting to {Key} timed out after {Settings.ConnectTimeout.TotalSeconds:0.###} s.",
                new TimeoutException());
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{exception.Message} ({Key})", exception);
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
                _idle.Push(connection);
                return;
            }
        }

        connection.Abort();
    }

    /// <summary>Closes the connections idle past the keep-alive timeout; with <paramref name="retire"/>, a pool left
    /// with none and unused as long is closed for good (the pod is likely gone) and true is returned.</summary>
    public bool CloseExpired(long now, bool retire)
    {
        Http1Connection[] expired = [];
        lock (_lock)
        {
            // Most recently used first; the ones past the timeout are at the bottom.
            var idle = _idle.ToArray();
            expired = [.. idle.Where(c => now - c.IdleSince > _keepAliveMs)];
            if (expired.Length > 0)
            {
                _idle.Clear();
                foreach (var connection in idle.Reverse().Where(c => now - c.IdleSince <= _keepAliveMs))
                {
                    _idle.Push(connection);
                }
            }

            _closed = retire && _idle.Count == 0 && now - LastUsed > _keepAliveMs;
        }

        foreach (var connection in expired)
        {
            connection.Abort();
        }

        return _closed;
    }
}
