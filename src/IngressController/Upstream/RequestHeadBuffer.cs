using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// A request head (or a chunk header) written as bytes straight into one reusable buffer, each field encoded in place:
/// no intermediate strings. Values are written as Latin-1, byte for byte what the client sent (the listeners decode
/// request headers as Latin-1 too); a value a header line cannot carry is refused before anything is sent.
/// </summary>
internal sealed class RequestHeadBuffer(int initialSize)
{
    private static readonly SearchValues<char> LineBreaking = SearchValues.Create("\r\n\0");

    private byte[] _buffer = new byte[initialSize];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>A token (method, header name) or a request target, already validated by HttpRequestMessage and Uri.</summary>
    public void WriteAscii(string value)
    {
        var written = Encoding.Latin1.GetBytes(value, Reserve(value.Length));
        Length += written;
    }

    /// <summary>A header value; CR, LF and NUL would end the line, characters above U+00FF have no byte.</summary>
    public void WriteValue(string name, string value)
    {
        if (value.AsSpan().ContainsAny(LineBreaking) || (!Ascii.IsValid(value) && value.AsSpan().ContainsAnyInRange('\u0100', '\uffff')))
        {
            throw new HttpRequestException(HttpRequestError.Unknown, $"The value of request header '{name}' contains a character HTTP/1.1 cannot carry.");
        }

        WriteAscii(value);
    }

    public void WriteHeader(string name, string value)
    {
        WriteAscii(name);
        Write(": "u8);
        WriteValue(name, value);
        Write("\r\n"u8);
    }

    public void WriteDecimal(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(20), out var written);
        Length += written;
    }

    public void WriteHex(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(16), out var written, new System.Buffers.StandardFormat('x'));
        Length += written;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - Length < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        return _buffer.AsSpan(Length);
    }
}
