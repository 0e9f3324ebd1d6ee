using System.Buffers;
using System.IO.Pipelines;

namespace KubeMesh.IngressController.Transport;

/// <summary>
/// A PipeReader straight over an <see cref="EpollSocket"/>: one buffer, received into only when the application asks
/// for more than it has, on the thread that asks. No pipe in between, no second loop, no scheduling: what a
/// connection served on its loop (<see cref="EpollFrontConnection"/>) reads requests from. The buffer is rented when a
/// receive needs it and returned once everything in it is consumed, so an idle keep-alive connection holds none.
/// </summary>
internal sealed class SocketPipeReader(EpollSocket socket, int maxBuffer) : PipeReader
{
    private const int InitialBuffer = 4096;

    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private bool _examinedAll;
    private bool _ended;
    private bool _completed;
    private volatile bool _cancelRequested;
    private ReadOnlySequence<byte> _last;

    /// <summary>What was received and not consumed: Kestrel's, when the connection is handed to it.</summary>
    public ReadOnlySpan<byte> Unconsumed => _buffer.AsSpan(_start, _end - _start);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        return TryReadCore(out var result) ? new ValueTask<ReadResult>(result) : ReadWhenReadableAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result) => TryReadCore(out result);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadWhenReadableAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await socket.WaitReadableAsync(cancellationToken);
            if (TryReadCore(out var result))
            {
                return result;
            }
        }
    }

    private bool TryReadCore(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelRequested)
        {
            _cancelRequested = false;
            result = new ReadResult(Current(), isCanceled: true, _ended);
            return true;
        }

        if ((_end > _start && !_examinedAll) || _ended)
        {
            result = new ReadResult(Current(), isCanceled: false, _ended);
            return true;
        }

        MakeRoom();
        var received = socket.TryReceive(_buffer.AsSpan(_end));
        if (received < 0)
        {
            result = default;
            return false;
        }

        if (received == 0)
        {
            _ended = true;
        }

        _end += received;
        _examinedAll = false;
        result = new ReadResult(Current(), isCanceled: false, _ended);
        return true;
    }

    private ReadOnlySequence<byte> Current() => _last = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    private void MakeRoom()
    {
        if (_end < _buffer.Length)
        {
            return;
        }

        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
            return;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            return;
        }

        if (_buffer.Length >= maxBuffer)
        {
            // The application holds a full buffer unconsumed and asks for more: its own limit should have stopped it.
            throw new InvalidOperationException($"More than {maxBuffer} bytes read and not consumed.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBuffer));
        _buffer.AsSpan(0, _end).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var consumedLength = (int)_last.Slice(0, consumed).Length;
        var examinedLength = (int)_last.Slice(0, examined).Length;
        _examinedAll = examinedLength == _last.Length && consumedLength < _last.Length;
        _start += consumedLength;
        _last = default;
        if (_start == _end)
        {
            _start = _end = 0;
            _examinedAll = false;
            if (_buffer.Length > 0 && !_completed)
            {
                ReturnBuffer(ref _buffer);
            }
        }
    }

    internal static void ReturnBuffer(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    public override void CancelPendingRead()
    {
        _cancelRequested = true;
        socket.InterruptRead();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _start = _end = 0;
        ReturnBuffer(ref _buffer);
    }
}

/// <summary>
/// A PipeWriter straight over an <see cref="EpollSocket"/>: the application writes a response into one buffer and a
/// flush sends it at once on the thread that flushes, waiting only while the kernel's buffer is full. The buffer is
/// rented at the first write and returned when a flush has sent all of it.
/// </summary>
internal sealed class SocketPipeWriter(EpollSocket socket) : PipeWriter
{
    private const int InitialBuffer = 16 * 1024;

    private byte[] _buffer = [];
    private int _written;
    private bool _failed;
    private bool _completed;
    private volatile bool _cancelRequested;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _buffer.Length - _written);
        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, InitialBuffer), _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        SocketPipeReader.ReturnBuffer(ref _buffer);
        _buffer = larger;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var offset = 0;
        while (offset < _written)
        {
            int sent;
            try
            {
                sent = _failed ? throw EpollNative.Aborted() : socket.TrySend(_buffer.AsSpan(offset, _written - offset));
            }
            catch (System.Net.Sockets.SocketException)
            {
                return new ValueTask<FlushResult>(Failed());
            }

            if (sent < 0)
            {
                return FlushWhenWritableAsync(offset, cancellationToken);
            }

            offset += sent;
        }

        Sent();
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: false));
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushWhenWritableAsync(int offset, CancellationToken cancellationToken)
    {
        while (offset < _written)
        {
            await socket.WaitWritableAsync(cancellationToken);
            if (_cancelRequested)
            {
                _cancelRequested = false;
                Buffer.BlockCopy(_buffer, offset, _buffer, 0, _written - offset);
                _written -= offset;
                return new FlushResult(isCanceled: true, isCompleted: false);
            }

            int sent;
            try
            {
                sent = socket.TrySend(_buffer.AsSpan(offset, _written - offset));
            }
            catch (System.Net.Sockets.SocketException)
            {
                return Failed();
            }

            if (sent >= 0)
            {
                offset += sent;
            }
        }

        Sent();
        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    // All of it went out: nothing is held between responses.
    private void Sent()
    {
        _written = 0;
        SocketPipeReader.ReturnBuffer(ref _buffer);
    }

    // The client is gone: as a pipe whose reader completed, every flush from here reports it.
    private FlushResult Failed()
    {
        _failed = true;
        _written = 0;
        return new FlushResult(isCanceled: false, isCompleted: true);
    }

    public override void CancelPendingFlush()
    {
        _cancelRequested = true;
        socket.InterruptWrite();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _written = 0;
        SocketPipeReader.ReturnBuffer(ref _buffer);
    }
}
