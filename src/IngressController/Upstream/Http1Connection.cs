using System.Runtime.CompilerServices;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a pod, carrying one exchange at a time, as nginx's upstream keepalive
/// connections do. An exchange has two halves: sending the request (its body may still be streaming from the
/// client) and reading the response (its body is read by whoever holds the response). The connection goes back to
/// its pool only when both halves ended cleanly; anything else closes it. Reads and writes go straight to the
/// socket: one send per request head, one receive per response head in the common case, and a body larger than
/// what arrived with the head is received directly into the reader's buffer.
/// </summary>
internal sealed partial class Http1Connection
{
    private readonly Http1ConnectionPool _pool;
    private readonly IUpstreamSocket _socket;

    // The same socket when it is an epoll socket, which can say whether a receive would find anything.
    private readonly Transport.EpollSocket? _epoll;
    private readonly RequestHeadBuffer _head = new(1024);
    private readonly ResponseFieldCache _fields = new();
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _aborted;
    private int _pendingHalves;
    private bool _requestSent;
    private bool _responseReusable;
    private bool _receivedAny;

    public Http1Connection(Http1ConnectionPool pool, IUpstreamSocket socket)
    {
        _pool = pool;
        _socket = socket;
        _epoll = socket as Transport.EpollSocket;
        _buffer = new byte[pool.Settings.ReadBufferBytes];
    }

    /// <summary>Exchanges completed on this connection: a connection with any has been idle in the pool.</summary>
    public int Exchanges { get; private set; }

    /// <summary>Environment.TickCount64 when it went back to the pool.</summary>
    public long IdleSince { get; set; }

    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>The idle list of its pool this connection belongs to (<see cref="IUpstreamSocket.Lane"/>).</summary>
    public int Lane => _socket.Lane;

    /// <summary>The bytes received and not yet consumed.</summary>
    internal ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    internal void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Receives into the buffer after what it holds; 0 when the pod closed its side.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_end == _buffer.Length)
        {
            MakeRoom();
        }

        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += received;
        _receivedAny |= received > 0;
        return received;
    }

    /// <summary>
    /// On an epoll socket, receives what is there without waiting: the count (0 when the pod closed its side), or -1
    /// when nothing is (wait with <see cref="WaitReadableAsync"/>) or the socket cannot tell without waiting.
    /// </summary>
    internal int TryFill()
    {
        if (_epoll is not { } epoll)
        {
            return -1;
        }

        if (_end == _buffer.Length)
        {
            MakeRoom();
        }

        var received = epoll.TryReceive(_buffer.AsSpan(_end));
        if (received > 0)
        {
            _end += received;
            _receivedAny = true;
        }

        return received;
    }

    /// <summary>Whether <see cref="TryFill"/> and <see cref="WaitReadableAsync"/> serve: the socket is an epoll socket.</summary>
    internal bool CanWaitReadable => _epoll is not null;

    /// <summary>Completes when <see cref="TryFill"/> would find something; only where <see cref="CanWaitReadable"/>.</summary>
    internal ValueTask WaitReadableAsync() => _epoll!.WaitReadableAsync();

    /// <summary>Receives straight into the caller's memory; only when nothing is buffered.</summary>
    internal ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(destination, cancellationToken);

    internal ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var sending = _socket.SendAsync(data, cancellationToken);
        if (!sending.IsCompletedSuccessfully)
        {
            return new ValueTask(sending.AsTask());
        }

        sending.GetAwaiter().GetResult();
        return default;
    }

    /// <summary>Whether the pod closed the connection (or sent something unasked) while it sat idle.</summary>
    public bool IsStale() => _socket.IsStale();

    /// <summary>Closes the socket; pending receives and sends fail at once. Safe to call from any thread, more than once.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _socket.Dispose();
        }
    }

    /// <summary>The request half ended: its body (if any) was sent whole, or not.</summary>
    internal void CompleteRequest(bool sent)
    {
        _requestSent = sent;
        CompleteHalf();
    }

    /// <summary>The response half ended: read whole with nothing after it and the pod keeping the connection, or not.</summary>
    internal void CompleteResponse(bool reusable)
    {
        _responseReusable = reusable && _start == _end;
        CompleteHalf();
    }

    private void CompleteHalf()
    {
        if (Interlocked.Decrement(ref _pendingHalves) != 0)
        {
            return;
        }

        if (_requestSent && _responseReusable && !IsAborted)
        {
            Exchanges++;
            _pool.Return(this);
        }
        else
        {
            Abort();
        }
    }

    /// <summary>Room at the end of the buffer: unconsumed bytes move to the front, or the buffer doubles up to the head limit.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            return;
        }

        if (_buffer.Length >= _pool.Settings.MaxResponseHeadBytes)
        {
            throw Invalid($"a response head or chunk line is longer than {_pool.Settings.MaxResponseHeadBytes} bytes");
        }

        Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _pool.Settings.MaxResponseHeadBytes));
    }

    internal static HttpRequestException Invalid(string what) =>
        new(HttpRequestError.InvalidResponse, $"The upstream's response is not valid HTTP/1.1: {what}.");

    internal static HttpRequestException Ended() =>
        new(HttpRequestError.ResponseEnded, "The upstream closed the connection before the response ended.");
}
