using System.Buffers;
using System.Text;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.WebUtilities;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// A pod's response head as <see cref="ForwardedConnection"/> writes it to the client: what Kestrel writes for the same
/// response on the other path (<see cref="KestrelResponseSink"/>). The status line with the standard reason phrase
/// unless the pod gave its own, the pod's end-to-end fields, the pod's Date or one of this second, and the body
/// framed by its Content-Length when the pod gave one, else chunked (trailers dropped, as nginx drops them).
/// Reused for every response on a connection.
/// </summary>
internal sealed class ResponseHeadWriter : IResponseHeadSink
{
    private static readonly byte[]?[] StatusLines = new byte[]?[600];
    private static DateLine _date = new(0, []);

    private readonly List<KeyValuePair<string, string>> _fields = new(16);

    public int Status { get; private set; }

    /// <summary>The body's length as the pod gave it, or -1.</summary>
    public long Length { get; private set; } = -1;

    private string? _reason;

    public HttpResponseMessage? Message => null;

    public void Reset()
    {
        _fields.Clear();
        Status = 0;
        Length = -1;
        _reason = null;
    }

    public void Start(int status, int minorVersion, string? reasonPhrase)
    {
        Status = status;
        _reason = reasonPhrase;
    }

    // Names are tokens and values carry no CR, LF or NUL: the connection's parser refuses anything else (a 502).
    public void Add(string name, string value, bool content) => _fields.Add(new(name, value));

    public void ContentLength(string name, string value, long length) => Length = length;

    public void RemoveContentLength() => Length = -1;

    public void Remove(string name)
    {
        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            Length = -1;
        }

        for (var i = _fields.Count - 1; i >= 0; i--)
        {
            if (_fields[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                _fields.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Writes the head, unflushed; true when the body that follows is to be chunked. A response to HEAD, a 204 and a
    /// 304 have no body, and get no framing the pod did not give.
    /// </summary>
    public bool WriteTo(IBufferWriter<byte> output, bool headMethod)
    {
        if (_reason is null)
        {
            output.Write(StatusLine(Status));
        }
        else
        {
            output.Write("HTTP/1.1 "u8);
            WriteLatin1(output, Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            output.Write(" "u8);
            WriteLatin1(output, _reason);
            output.Write("\r\n"u8);
        }

        var dated = false;
        foreach (var (name, value) in _fields)
        {
            dated |= name.Equals("Date", StringComparison.OrdinalIgnoreCase);
            WriteLatin1(output, name);
            output.Write(": "u8);
            WriteLatin1(output, value);
            output.Write("\r\n"u8);
        }

        if (!dated)
        {
            output.Write(CurrentDateLine());
        }

        var bodiless = headMethod || Status is 204 or 304;
        var chunked = false;
        if (Length >= 0 && Status != 204)
        {
            output.Write("Content-Length: "u8);
            WriteLatin1(output, Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            output.Write("\r\n"u8);
        }
        else if (!bodiless)
        {
            output.Write("Transfer-Encoding: chunked\r\n"u8);
            chunked = true;
        }

        output.Write("\r\n"u8);
        return chunked;
    }

    /// <summary>
    /// An empty response of this status, as YARP's forwarder leaves one after a failure (502, 504), or as Kestrel
    /// answers a request it gave up on before closing the connection (408, with <paramref name="close"/>).
    /// </summary>
    public static void WriteEmpty(IBufferWriter<byte> output, int status, bool close = false)
    {
        output.Write(StatusLine(status));
        if (close)
        {
            output.Write("Connection: close\r\n"u8);
        }

        output.Write("Content-Length: 0\r\n"u8);
        output.Write(CurrentDateLine());
        output.Write("\r\n"u8);
    }

    private static ReadOnlySpan<byte> StatusLine(int status)
    {
        if (status >= StatusLines.Length)
        {
            return Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
        }

        return StatusLines[status] ??= Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
    }

    /// <summary>The Date field of the current second, formatted once a second as Kestrel does.</summary>
    private static byte[] CurrentDateLine()
    {
        var now = DateTime.UtcNow;
        var second = now.Ticks / TimeSpan.TicksPerSecond;
        var date = _date;
        if (date.Second != second)
        {
            _date = date = new DateLine(second, Encoding.ASCII.GetBytes($"Date: {now:r}\r\n"));
        }

        return date.Bytes;
    }

    private static void WriteLatin1(IBufferWriter<byte> output, string value)
    {
        var written = Encoding.Latin1.GetBytes(value, output.GetSpan(value.Length));
        output.Advance(written);
    }

    private sealed record DateLine(long Second, byte[] Bytes);
}
