using System.Buffers;
using System.Text;
using KubeMesh.IngressController.Upstream;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The head of a client's request as <see cref="ForwardedConnection"/> reads it off the connection, before any of
/// Kestrel's HTTP processing: taken only when it is a plain HTTP/1.1 request that Kestrel would read to exactly the
/// same method, path, query, Host and fields, with no body, no upgrade and nothing that makes Kestrel answer for
/// itself. Anything else (HTTP/1.0, a Content-Length or Transfer-Encoding, Expect, Upgrade, Connection other than
/// keep-alive, a percent-encoded or dot-segment path, a character Kestrel would escape or refuse, a field given
/// twice, a head over Kestrel's limits) is not taken, and the connection goes to Kestrel with the request unread.
/// </summary>
internal sealed class PlainRequest
{
    // The characters PathString.ToUriComponent leaves as they are (unreserved, sub-delims, ':', '@', '/'): with no '%',
    // Kestrel's decoded path is the raw one, and what goes to the pod is what routing matched.
    private static readonly SearchValues<byte> PathBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"u8);

    // A query goes on as sent: visible ASCII but the fragment mark.
    private static readonly SearchValues<byte> QueryBytes =
        SearchValues.Create("!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static readonly SearchValues<byte> HostBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-."u8);

    // Control characters but HTAB, and DEL: Kestrel refuses them in a field value.
    private static readonly SearchValues<byte> NotInValues = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    private Field[] _fields = new Field[16];
    private byte[] _lastHost = [];
    private string _hostString = "";
    private byte[] _lastPath = [];
    private string _pathString = "/";

    /// <summary>A field line of the head: where its name and its value (without surrounding whitespace) are.</summary>
    public readonly record struct Field(int NameStart, int NameLength, int ValueStart, int ValueLength);

    public string Method { get; private set; } = "";

    /// <summary>The path, as routing sees it (and as sent: it has nothing to decode).</summary>
    public string Path => _pathString;

    /// <summary>The Host field as sent.</summary>
    public string Host => _hostString;

    /// <summary>Where the request target (path and query) is in the head.</summary>
    public Range Target { get; private set; }

    public int FieldCount { get; private set; }

    public ReadOnlySpan<Field> Fields => _fields.AsSpan(0, FieldCount);

    /// <summary>The fields' indices, or -1.</summary>
    public int TraceParent { get; private set; }

    public int TraceState { get; private set; }

    public int UserAgent { get; private set; }

    /// <summary>
    /// Reads <paramref name="head"/>, a whole request head up to and including the empty line: true when it is a
    /// request this path serves, false when Kestrel should read it.
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> head, int maxFields, int maxRequestLine, int maxFieldBytes)
    {
        FieldCount = 0;
        TraceParent = TraceState = UserAgent = -1;
        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd <= 0 || lineEnd > maxRequestLine || head.Length - lineEnd - 2 > maxFieldBytes || !TryReadRequestLine(head[..lineEnd]))
        {
            return false;
        }

        var host = -1;
        var position = lineEnd + 2;
        while (true)
        {
            var rest = head[position..];
            var length = rest.IndexOf("\r\n"u8);
            if (length == 0)
            {
                break;
            }

            if (length < 0 || FieldCount == maxFields)
            {
                return false;
            }

            var line = rest[..length];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAnyExcept(HttpTokens.Bytes))
            {
                return false;
            }

            var value = line[(colon + 1)..];
            var leading = value.Length - value.TrimStart(" \t"u8).Length;
            value = value.Trim(" \t"u8);
            if (value.ContainsAny(NotInValues))
            {
                return false;
            }

            var name = line[..colon];
            for (var i = 0; i < FieldCount; i++)
            {
                // A field given twice is joined into one line by the other path: it reads it.
                if (_fields[i].NameLength == colon && Ascii.EqualsIgnoreCase(head.Slice(_fields[i].NameStart, colon), name))
                {
                    return false;
                }
            }

            switch (Classify(name, value))
            {
                case Kind.NotServed:
                    return false;
                case Kind.Host:
                    host = FieldCount;
                    break;
                case Kind.TraceParent:
                    TraceParent = FieldCount;
                    break;
                case Kind.TraceState:
                    TraceState = FieldCount;
                    break;
                case Kind.UserAgent:
                    UserAgent = FieldCount;
                    break;
            }

            if (FieldCount == _fields.Length)
            {
                Array.Resize(ref _fields, _fields.Length * 2);
            }

            _fields[FieldCount++] = new Field(position, colon, position + colon + 1 + leading, value.Length);
            position += length + 2;
        }

        // HTTP/1.1 requires Host: without one Kestrel answers 400 itself.
        return host >= 0 && TryReadHost(FieldValue(head, host));
    }

    public static ReadOnlySpan<byte> FieldName(ReadOnlySpan<byte> head, in Field field) => head.Slice(field.NameStart, field.NameLength);

    public static ReadOnlySpan<byte> FieldValue(ReadOnlySpan<byte> head, in Field field) => head.Slice(field.ValueStart, field.ValueLength);

    public ReadOnlySpan<byte> FieldValue(ReadOnlySpan<byte> head, int index) => FieldValue(head, _fields[index]);

    private bool TryReadRequestLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0 || line[..space].ContainsAnyExcept(HttpTokens.Bytes))
        {
            return false;
        }

        var method = line[..space];
        var rest = line[(space + 1)..];
        var targetLength = rest.IndexOf((byte)' ');
        if (targetLength <= 0 || !rest[(targetLength + 1)..].SequenceEqual("HTTP/1.1"u8) || rest[0] != '/')
        {
            return false;
        }

        var target = rest[..targetLength];
        var question = target.IndexOf((byte)'?');
        var path = question < 0 ? target : target[..question];
        if (path.ContainsAnyExcept(PathBytes) || path.IndexOf("/."u8) >= 0
            || (question >= 0 && target[(question + 1)..].ContainsAnyExcept(QueryBytes)))
        {
            return false;
        }

        Method = KnownMethod(method) ?? Encoding.ASCII.GetString(method);
        if (HttpMethods.IsConnect(Method))
        {
            return false;
        }

        Target = new Range(space + 1, space + 1 + targetLength);
        if (!path.SequenceEqual(_lastPath))
        {
            _lastPath = path.ToArray();
            _pathString = Encoding.ASCII.GetString(path);
        }

        return true;
    }

    /// <summary>host [":" port], a registered name or IPv4 address: what Kestrel reads back unchanged.</summary>
    private bool TryReadHost(ReadOnlySpan<byte> value)
    {
        var colon = value.IndexOf((byte)':');
        var name = colon < 0 ? value : value[..colon];
        if (name.IsEmpty || name.ContainsAnyExcept(HostBytes)
            || (colon >= 0 && (colon == value.Length - 1 || value[(colon + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9'))))
        {
            return false;
        }

        if (!value.SequenceEqual(_lastHost))
        {
            _lastHost = value.ToArray();
            _hostString = Encoding.ASCII.GetString(value);
        }

        return true;
    }

    private enum Kind
    {
        Other,
        NotServed,
        Host,
        TraceParent,
        TraceState,
        UserAgent,
    }

    private static Kind Classify(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            return Kind.Host;
        }

        if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            // Keep-alive is HTTP/1.1's default; close, upgrade or nominated fields are Kestrel's to handle.
            return Ascii.EqualsIgnoreCase(value, "keep-alive"u8) ? Kind.Other : Kind.NotServed;
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)
            || Ascii.EqualsIgnoreCase(name, "Expect"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
        {
            return Kind.NotServed;
        }

        if (Ascii.EqualsIgnoreCase(name, "traceparent"u8))
        {
            return Kind.TraceParent;
        }

        if (Ascii.EqualsIgnoreCase(name, "tracestate"u8))
        {
            return Kind.TraceState;
        }

        return Ascii.EqualsIgnoreCase(name, "User-Agent"u8) ? Kind.UserAgent : Kind.Other;
    }

    private static string? KnownMethod(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => HttpMethods.Get,
        _ when method.SequenceEqual("HEAD"u8) => HttpMethods.Head,
        _ when method.SequenceEqual("POST"u8) => HttpMethods.Post,
        _ when method.SequenceEqual("PUT"u8) => HttpMethods.Put,
        _ when method.SequenceEqual("DELETE"u8) => HttpMethods.Delete,
        _ when method.SequenceEqual("OPTIONS"u8) => HttpMethods.Options,
        _ when method.SequenceEqual("PATCH"u8) => HttpMethods.Patch,
        _ when method.SequenceEqual("TRACE"u8) => HttpMethods.Trace,
        _ => null,
    };
}
