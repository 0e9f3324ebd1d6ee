using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using KubeMesh.IngressController.Upstream;
using static KubeMesh.IngressController.Transport.EpollNative;

namespace KubeMesh.IngressController.Transport;

/// <summary>
/// A non-blocking TCP socket on an <see cref="EpollLoop"/>, read and written the way nginx reads and writes: a
/// receive is made only when the socket is known to have something (an edge since the last receive that drained it;
/// a receive that fills less than its buffer drained it), so no receive finds nothing; a send is made at once and
/// waits for room only when the kernel's buffer is full. Callers wait for readiness, then make the call themselves,
/// on whatever thread they run (almost always the loop's). Every call on the fd is made under the socket's lock, so a
/// close from another thread cannot let a later call reach a reused fd.
/// </summary>
internal sealed class EpollSocket : EpollHandle, IUpstreamSocket
{
    private const uint Registered = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

    private readonly Lock _gate = new();
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly Waiter _readable;
    private readonly Waiter _writable;
    private bool _closed;

    // The peer closed or the connection failed: every receive from here returns at once (0 or the error).
    private bool _ended;

    private EpollSocket(EpollLoop loop, int fd, bool writable)
    {
        _loop = loop;
        _fd = fd;
        _readable = new Waiter(_gate);
        _writable = new Waiter(_gate) { Ready = writable };
    }

    /// <summary>Takes <paramref name="fd"/> (non-blocking, connected) onto <paramref name="loop"/>.</summary>
    public static EpollSocket Adopt(int fd, EpollLoop loop) => Adopt(fd, loop, writable: true);

    // A connect in progress starts unwritable: its completion is the first EPOLLOUT, which may come before Adopt returns.
    private static EpollSocket Adopt(int fd, EpollLoop loop, bool writable)
    {
        var socket = new EpollSocket(loop, fd, writable);
        try
        {
            loop.Register(socket, fd, Registered);
        }
        catch
        {
            Close(fd);
            throw;
        }

        return socket;
    }

    /// <summary>Connects to <paramref name="endPoint"/> from the current loop (or the next one), TCP_NODELAY as Kestrel's and .NET's sockets.</summary>
    public static async ValueTask<EpollSocket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var address = endPoint.Serialize();
        var fd = EpollNative.Socket(endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError());
        }

        var connecting = Start(fd, address);
        if (connecting < 0)
        {
            var errno = -connecting;
            Close(fd);
            throw Error(errno);
        }

        var socket = Adopt(fd, EpollEngine.Pick(), writable: connecting == 0);
        if (connecting == 0)
        {
            return socket;
        }

        try
        {
            await socket.WaitWritableAsync(cancellationToken);
            var error = socket.PendingError();
            if (error != 0)
            {
                throw Error(error);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // 0 connected, 1 in progress, -errno failed.
    private static unsafe int Start(int fd, SocketAddress address)
    {
        SetNoDelay(fd);
        fixed (byte* name = address.Buffer.Span)
        {
            if (EpollNative.Connect(fd, name, address.Size) == 0)
            {
                return 0;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == EINPROGRESS ? 1 : -errno;
    }

    /// <summary>The loop this socket's events are handled on: an upstream connection is used by requests on it.</summary>
    public int Lane => _loop.Index;

    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    public override void OnEvents(uint events)
    {
        Waiter? readable = null;
        Waiter? writable = null;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
            {
                _ended |= (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
                readable = _readable.BecomeReady();
            }

            if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0)
            {
                writable = _writable.BecomeReady();
            }
        }

        readable?.Complete(null);
        writable?.Complete(null);
    }

    /// <summary>Completes when a receive would find something (or the socket was closed); at once when it already would.</summary>
    public ValueTask WaitReadableAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _readable.Wait(_closed, cancellationToken);
        }
    }

    /// <summary>Completes when a send that found the kernel's buffer full can go on (or the socket was closed).</summary>
    public ValueTask WaitWritableAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _writable.Wait(_closed, cancellationToken);
        }
    }

    /// <summary>Ends a wait for readability at once, as if the socket had become readable (a pipe's CancelPendingRead).</summary>
    public void InterruptRead() => Interrupt(_readable);

    /// <summary>Ends a wait for writability at once (a pipe's CancelPendingFlush).</summary>
    public void InterruptWrite() => Interrupt(_writable);

    private void Interrupt(Waiter direction)
    {
        Waiter? waiting;
        lock (_gate)
        {
            waiting = direction.Interrupt();
        }

        waiting?.Complete(null);
    }

    /// <summary>Received bytes, 0 at the peer's end, or -1 when nothing is there yet (then wait with <see cref="WaitReadableAsync"/>); no call is made while the socket is known to be drained.</summary>
    public unsafe int TryReceive(Span<byte> buffer)
    {
        // Read without the lock: a readiness set meanwhile is seen by the wait that follows, which checks under it.
        if (!Volatile.Read(ref _readable.Ready) && !Volatile.Read(ref _closed))
        {
            return -1;
        }

        lock (_gate)
        {
            if (_closed)
            {
                throw Aborted();
            }

            if (!_readable.Ready)
            {
                // No edge since the last receive drained it: a receive now would find nothing.
                return -1;
            }

            while (true)
            {
                nint received;
                fixed (byte* data = buffer)
                {
                    received = Receive(_fd, data, buffer.Length, 0);
                }

                if (received >= 0)
                {
                    // Less than asked for: the socket is drained, and the next receive waits for an edge. Not at the
                    // peer's end, whose edge has already come: from there every receive returns 0 at once.
                    if (received < buffer.Length && received > 0 && !_ended)
                    {
                        _readable.Ready = false;
                    }

                    return (int)received;
                }

                if (!SignalInterrupted(ref _readable.Ready))
                {
                    return -1;
                }
            }
        }
    }

    /// <summary>Bytes sent, or -1 when the kernel's buffer is full (then wait with <see cref="WaitWritableAsync"/>).</summary>
    public unsafe int TrySend(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw Aborted();
            }

            while (true)
            {
                nint sent;
                fixed (byte* bytes = data)
                {
                    sent = EpollNative.Send(_fd, bytes, data.Length, MSG_NOSIGNAL);
                }

                if (sent >= 0)
                {
                    return (int)sent;
                }

                if (!SignalInterrupted(ref _writable.Ready))
                {
                    return -1;
                }
            }
        }
    }

    /// <summary>As <see cref="TrySend(ReadOnlySpan{byte})"/> for several buffers in one call (sendmsg), up to 64 of them.</summary>
    public unsafe long TrySend(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return TrySend(data.FirstSpan);
        }

        const int MaxVectors = 64;
        var vectors = stackalloc IoVector[MaxVectors];
        Span<MemoryHandle> handles = new MemoryHandle[MaxVectors];
        var count = 0;
        try
        {
            foreach (var segment in data)
            {
                if (segment.IsEmpty)
                {
                    continue;
                }

                handles[count] = segment.Pin();
                vectors[count] = new IoVector { Base = (byte*)handles[count].Pointer, Length = (nuint)segment.Length };
                if (++count == MaxVectors)
                {
                    break;
                }
            }

            var message = new MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
            lock (_gate)
            {
                if (_closed)
                {
                    throw Aborted();
                }

                while (true)
                {
                    var sent = SendMessage(_fd, &message, MSG_NOSIGNAL);
                    if (sent >= 0)
                    {
                        return sent;
                    }

                    if (!SignalInterrupted(ref _writable.Ready))
                    {
                        return -1;
                    }
                }
            }
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                handles[i].Dispose();
            }
        }
    }

    /// <summary>
    /// After a receive or send failed: true when a signal interrupted it (make it again); false when it would block,
    /// and the direction is no longer <paramref name="ready"/>; any other error is thrown.
    /// </summary>
    private static bool SignalInterrupted(ref bool ready)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EAGAIN)
        {
            ready = false;
            return false;
        }

        return errno == EINTR ? true : throw Error(errno);
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var received = TryReceive(buffer.Span);
        return received >= 0 ? new ValueTask<int>(received) : ReceiveWhenReadableAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveWhenReadableAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitReadableAsync(cancellationToken);
            var received = TryReceive(buffer.Span);
            if (received >= 0)
            {
                return received;
            }
        }
    }

    /// <summary>Sends all of <paramref name="data"/>; returns its length.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var remaining = data;
        while (!remaining.IsEmpty)
        {
            var sent = TrySend(remaining.Span);
            if (sent < 0)
            {
                return SendWhenWritableAsync(data, remaining, cancellationToken);
            }

            remaining = remaining[sent..];
        }

        return new ValueTask<int>(data.Length);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> SendWhenWritableAsync(ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> remaining, CancellationToken cancellationToken)
    {
        while (!remaining.IsEmpty)
        {
            await WaitWritableAsync(cancellationToken);
            var sent = TrySend(remaining.Span);
            if (sent >= 0)
            {
                remaining = remaining[sent..];
            }
        }

        return data.Length;
    }

    /// <summary>Whether the peer closed the connection, or sent something unasked, while it sat idle.</summary>
    public unsafe bool IsStale()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return true;
            }

            byte probe;
            var peeked = Receive(_fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
            return peeked >= 0 || Marshal.GetLastPInvokeError() != EAGAIN;
        }
    }

    /// <summary>shutdown(2), ignoring failures: the connection is ending either way.</summary>
    public void Shutdown(int how)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                EpollNative.Shutdown(_fd, how);
            }
        }
    }

    /// <summary>Closes the socket; whoever waits for it returns, and its next call throws OperationAborted. Any thread, more than once.</summary>
    public void Dispose()
    {
        Waiter? readable;
        Waiter? writable;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _loop.Unregister(this, _fd);
            Close(_fd);
            readable = _readable.Take();
            writable = _writable.Take();
        }

        readable?.Complete(null);
        writable?.Complete(null);
    }

    private unsafe int PendingError()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return 9;
            }

            int error;
            var length = sizeof(int);
            return GetSocketOption(_fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>
    /// One direction: whether it is ready (an edge came since the call that found it drained or full), and its wait for
    /// readiness. Armed, taken and cancelled under the socket's lock, so exactly one of the event, a close, an
    /// interrupt or the cancellation completes a wait; completed outside it, since what waited runs on from there.
    /// </summary>
    private sealed class Waiter(Lock gate) : IValueTaskSource
    {
        /// <summary>An edge came since a call found this direction drained (receive) or full (send). Under the lock.</summary>
        public bool Ready;

        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationTokenRegistration _registration;
        private bool _armed;

        // An interrupt that found no wait: the next wait returns at once.
        private bool _interrupted;

        /// <summary>Completes at once when ready, closed or interrupted; else when one of those happens.</summary>
        public ValueTask Wait(bool closed, CancellationToken cancellationToken)
        {
            if (Ready || closed || _interrupted)
            {
                _interrupted = false;
                return default;
            }

            return Arm(cancellationToken);
        }

        /// <summary>An edge: ready, and the waiter to complete if there is one.</summary>
        public Waiter? BecomeReady()
        {
            Ready = true;
            return Take();
        }

        /// <summary>The waiter to complete, or, with none, the next wait returns at once.</summary>
        public Waiter? Interrupt()
        {
            var waiting = Take();
            _interrupted = waiting is null;
            return waiting;
        }

        private ValueTask Arm(CancellationToken cancellationToken)
        {
            if (_armed)
            {
                throw new InvalidOperationException("The socket already has a wait in this direction.");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            _core.Reset();
            _armed = true;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);
            }

            return new ValueTask(this, _core.Version);
        }

        /// <summary>This waiter if armed, disarmed; else null. Under the lock.</summary>
        public Waiter? Take()
        {
            if (!_armed)
            {
                return null;
            }

            _armed = false;
            return this;
        }

        public void Complete(Exception? error)
        {
            var registration = _registration;
            _registration = default;
            registration.Unregister();
            if (error is null)
            {
                _core.SetResult(true);
            }
            else
            {
                _core.SetException(error);
            }
        }

        private void Cancel(CancellationToken token)
        {
            lock (gate)
            {
                if (Take() is null)
                {
                    return;
                }
            }

            Complete(new OperationCanceledException(token));
        }

        public void GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
