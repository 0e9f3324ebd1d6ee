using System.Buffers;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The request body on its way to the pod, framed as the head said: exactly Content-Length bytes, or chunks
/// (each chunk's size line, data and CRLF go out in one send) ended by the last chunk.
/// </summary>
internal sealed class Http1RequestBodyStream(Http1Connection connection, RequestHead head) : Stream
{
    private const int CoalesceLimit = 16 * 1024;
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();
    private long _remaining = head.ContentLength;

    public override bool CanRead => false;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (!head.Chunked)
        {
            if (data.Length > _remaining)
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request body is longer than its Content-Length ({head.ContentLength}).");
            }

            _remaining -= data.Length;
            await connection.SendAsync(data, cancellationToken);
            return;
        }

        var prefix = new RequestHeadBuffer(24);
        prefix.WriteHex(data.Length);
        prefix.Write("\r\n"u8);
        if (data.Length > CoalesceLimit)
        {
            await connection.SendAsync(prefix.Written, cancellationToken);
            await connection.SendAsync(data, cancellationToken);
            await connection.SendAsync(Crlf, cancellationToken);
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(prefix.Length + data.Length + 2);
        try
        {
            prefix.Written.Span.CopyTo(chunk);
            data.Span.CopyTo(chunk.AsSpan(prefix.Length));
            "\r\n"u8.CopyTo(chunk.AsSpan(prefix.Length + data.Length));
            await connection.SendAsync(chunk.AsMemory(0, prefix.Length + data.Length + 2), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Ends the body: the last chunk, or a check that Content-Length bytes went out.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (head.Chunked)
        {
            await connection.SendAsync(LastChunk, cancellationToken);
        }
        else if (_remaining != 0)
        {
            throw new HttpRequestException(HttpRequestError.Unknown,
                $"The request body ended {_remaining} bytes short of its Content-Length ({head.ContentLength}).");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    // Every write goes out at once; the head went out before the body.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
