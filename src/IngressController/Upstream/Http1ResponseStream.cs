using System.Collections.Frozen;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// A response body as its head framed it (RFC 9112 section 6): Content-Length bytes, chunks (with trailers, which
/// become the response's TrailingHeaders), everything until the pod closes, or after a 101 the raw connection both
/// ways. Bytes that came with the head are served from the connection's buffer, the rest is received straight into
/// the reader's memory. The connection's response half ends with the body's last byte, before the read that reports
/// the end, so the connection is back in its pool as soon as it can be.
/// </summary>
internal sealed class Http1ResponseStream : Stream
{
    public enum Framing
    {
        Empty,
        Length,
        Chunked,
        Close,
        Upgrade,
    }

    private enum ChunkState
    {
        Size,
        Data,
        DataEnd,
        Trailers,
    }

    private static readonly FrozenSet<string> NotInTrailers = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Host", "Trailer", "TE");

    private readonly Http1Connection? _connection;
    private readonly HttpResponseMessage? _response;
    private readonly Framing _framing;
    private readonly bool _keepAlive;
    private long _remaining;
    private ChunkState _chunk;
    private bool _done;

    public Http1ResponseStream(Http1Connection? connection, HttpResponseMessage? response, Framing framing, long length, bool keepAlive)
    {
        _connection = connection;
        _response = response;
        _framing = framing;
        _remaining = length;
        _keepAlive = keepAlive;
        _done = framing == Framing.Empty;
    }

    /// <summary>Whether the body has ended (its last byte read) or failed: no read will return more.</summary>
    internal bool IsComplete => _done;

    public static Http1ResponseStream Empty() => new(null, null, Framing.Empty, 0, keepAlive: false);

    public override bool CanRead => true;

    public override bool CanWrite => _framing == Framing.Upgrade;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_done)
        {
            return ValueTask.FromResult(0);
        }

        var connection = _connection!;
        if (destination.IsEmpty)
        {
            // A zero-byte read waits for data without holding the reader's buffer (YARP's copier does this).
            return connection.Buffered.IsEmpty ? AwaitDataAsync(cancellationToken) : ValueTask.FromResult(0);
        }

        if (_framing == Framing.Chunked)
        {
            return ReadChunkedAsync(destination, cancellationToken);
        }

        var limit = _framing == Framing.Length ? (int)Math.Min(destination.Length, _remaining) : destination.Length;
        var buffered = connection.Buffered;
        if (!buffered.IsEmpty)
        {
            var count = Math.Min(buffered.Length, limit);
            buffered[..count].CopyTo(destination.Span);
            connection.Consume(count);
            Advance(count);
            return ValueTask.FromResult(count);
        }

        return ReceiveAsync(destination[..limit], cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int received;
        try
        {
            received = await _connection!.ReceiveAsync(destination, cancellationToken);
        }
        catch (Exception exception)
        {
            throw Fail(exception);
        }

        if (received == 0)
        {
            if (_framing == Framing.Length)
            {
                throw Fail(Http1Connection.Ended());
            }

            // Close-delimited: the end of the stream is the end of the body. After an upgrade: the pod's side is done.
            if (_framing == Framing.Close)
            {
                Finish(reusable: false);
            }

            return 0;
        }

        Advance(received);
        return received;
    }

    private void Advance(int count)
    {
        if (_framing == Framing.Length && (_remaining -= count) == 0)
        {
            Finish(reusable: true);
        }
    }

    private async ValueTask<int> AwaitDataAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _connection!.FillAsync(cancellationToken) == 0 && _framing is Framing.Length or Framing.Chunked)
            {
                throw Http1Connection.Ended();
            }
        }
        catch (Exception exception)
        {
            throw Fail(exception);
        }

        return 0;
    }

    /// <summary>RFC 9112 7.1: chunk-size [ext] CRLF data CRLF ... last-chunk trailer-section CRLF.</summary>
    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var connection = _connection!;
        try
        {
            while (true)
            {
                if (_chunk == ChunkState.Data)
                {
                    var limit = (int)Math.Min(destination.Length, _remaining);
                    var count = Math.Min(connection.Buffered.Length, limit);
                    if (count > 0)
                    {
                        connection.Buffered[..count].CopyTo(destination.Span);
                        connection.Consume(count);
                    }
                    else if ((count = await connection.ReceiveAsync(destination[..limit], cancellationToken)) == 0)
                    {
                        throw Http1Connection.Ended();
                    }

                    if ((_remaining -= count) == 0)
                    {
                        _chunk = ChunkState.DataEnd;
                    }

                    return count;
                }

                while (connection.Buffered.IndexOf((byte)'\n') < 0)
                {
                    if (await connection.FillAsync(cancellationToken) == 0)
                    {
                        throw Http1Connection.Ended();
                    }
                }

                if (TakeLine(connection))
                {
                    return 0;
                }
            }
        }
        catch (Exception exception) when (!_done)
        {
            throw Fail(exception);
        }
    }

    /// <summary>Takes one buffered line of chunk framing; true once the body (and its trailers) ended.</summary>
    private bool TakeLine(Http1Connection connection)
    {
        var rest = connection.Buffered;
        var before = rest.Length;
        var line = ResponseHeadParser.NextLine(ref rest);
        connection.Consume(before - rest.Length);
        switch (_chunk)
        {
            case ChunkState.DataEnd:
                _chunk = line.IsEmpty ? ChunkState.Size : throw Http1Connection.Invalid("chunk data is longer than its size");
                return false;
            case ChunkState.Size:
                _remaining = ChunkSize(line);
                _chunk = _remaining == 0 ? ChunkState.Trailers : ChunkState.Data;
                return false;
            default:
                if (line.IsEmpty)
                {
                    Finish(reusable: true);
                    return true;
                }

                AddTrailer(line);
                return false;
        }
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var extension = line.IndexOf((byte)';');
        var digits = (extension < 0 ? line : line[..extension]).TrimEnd(" \t"u8);
        if (digits.IsEmpty || digits.Length > 15
            || !long.TryParse(Encoding.Latin1.GetString(digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw Http1Connection.Invalid("a chunk size is not a hexadecimal number");
        }

        return size;
    }

    /// <summary>A trailer field; fields that frame or route a message are not allowed there (RFC 9110 6.5.1) and are dropped.</summary>
    private void AddTrailer(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t')
        {
            throw Http1Connection.Invalid("a trailer line is not a field");
        }

        var name = Encoding.Latin1.GetString(line[..colon]);
        if (NotInTrailers.Contains(name))
        {
            return;
        }

        _response?.TrailingHeaders.TryAddWithoutValidation(name, Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8)));
    }

    private void Finish(bool reusable)
    {
        _done = true;
        _connection!.CompleteResponse(reusable && _keepAlive);
    }

    private Exception Fail(Exception exception)
    {
        if (!_done)
        {
            _done = true;
            _connection!.Abort();
            _connection.CompleteResponse(reusable: false);
        }

        return exception switch
        {
            OperationCanceledException or IOException or HttpRequestException => exception,
            SocketException or ObjectDisposedException => new IOException("Reading the upstream response failed: " + exception.Message, exception),
            _ => exception,
        };
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_framing != Framing.Upgrade)
        {
            throw new NotSupportedException();
        }

        return _connection!.SendAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Before its end a body cannot be skipped over cheaply: the connection closes, as after any broken exchange.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_done)
        {
            _done = true;
            _connection!.Abort();
            _connection.CompleteResponse(reusable: false);
        }

        base.Dispose(disposing);
    }
}
