using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace KubeMesh.IngressController.Upstream;

internal sealed partial class Http1Connection
{
    /// <summary>A response head as read: its body, whether that body is already over, and whether the pod keeps the connection.</summary>
    private readonly record struct ResponseStart(Http1ResponseStream Body, bool Complete, bool KeepAlive);

    /// <summary>Reads response heads until a final one (interim 1xx are skipped, as HttpClient skips them; 101 is final).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseStart> ReadResponseAsync<TSink>(RequestHead head, TSink sink)
        where TSink : IResponseHeadSink
    {
        while (true)
        {
            int length;
            while (!ResponseHeadParser.TryFindEnd(Buffered, out length))
            {
                if (CanWaitReadable)
                {
                    // On an epoll socket: receive what is there, else wait for it here, one suspension for the whole exchange.
                    var received = TryFill();
                    if (received < 0)
                    {
                        await WaitReadableAsync();
                        continue;
                    }

                    if (received == 0)
                    {
                        throw Ended();
                    }

                    continue;
                }

                if (await FillAsync(default) == 0)
                {
                    throw Ended();
                }
            }

            var start = Parse(head, _buffer.AsSpan(_start, length), sink);
            Consume(length);
            if (start is { } final)
            {
                return final;
            }
        }
    }

    /// <summary>The response head (RFC 9112 sections 4-6) told to <paramref name="sink"/>, or null for an interim response.</summary>
    private ResponseStart? Parse<TSink>(RequestHead head, ReadOnlySpan<byte> bytes, TSink sink)
        where TSink : IResponseHeadSink
    {
        var rest = bytes;
        var (minor, status) = ResponseHeadParser.StatusLine(ResponseHeadParser.NextLine(ref rest), out var reason);
        if (status < 200 && status != 101)
        {
            return null;
        }

        if (status == 101 && !head.Upgrade)
        {
            throw Invalid("101 Switching Protocols answers a request that asked for no upgrade");
        }

        sink.Start(status, minor, !reason.IsEmpty && !System.Text.Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(status))
            ? Encoding.Latin1.GetString(reason)
            : null);
        var framing = ReadFields(ref rest, sink, status == 101);
        var keepAlive = minor == 1 ? !framing.Close : framing.KeepAlive;
        RemoveNominated(framing.Nominated, sink);

        if (status == 101)
        {
            return new ResponseStart(new Http1ResponseStream(this, sink.Message, Http1ResponseStream.Framing.Upgrade, 0, keepAlive: false), Complete: false, KeepAlive: false);
        }

        if (head.HeadMethod || status is 204 or 304)
        {
            return new ResponseStart(Http1ResponseStream.Empty(), Complete: true, keepAlive);
        }

        if (framing.TransferEncoding is { } codings)
        {
            // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and such a message may be an attack on framing.
            if (framing.ContentLength >= 0)
            {
                sink.RemoveContentLength();
                keepAlive = false;
            }

            var chunked = LastCoding(codings).Equals("chunked", StringComparison.OrdinalIgnoreCase);
            var body = new Http1ResponseStream(this, sink.Message, chunked ? Http1ResponseStream.Framing.Chunked : Http1ResponseStream.Framing.Close, 0, keepAlive && chunked);
            return new ResponseStart(body, Complete: false, keepAlive && chunked);
        }

        if (framing.ContentLength == 0)
        {
            return new ResponseStart(Http1ResponseStream.Empty(), Complete: true, keepAlive);
        }

        return new ResponseStart(framing.ContentLength > 0
            ? new Http1ResponseStream(this, sink.Message, Http1ResponseStream.Framing.Length, framing.ContentLength, keepAlive)
            : new Http1ResponseStream(this, sink.Message, Http1ResponseStream.Framing.Close, 0, keepAlive: false), Complete: false, keepAlive);
    }

    private readonly record struct Framing(long ContentLength, string? TransferEncoding, bool Close, bool KeepAlive, List<string>? Nominated);

    /// <summary>
    /// Tells the fields to the sink, and takes out what describes this hop: Transfer-Encoding, Connection (kept on a
    /// 101, which the client needs to see the upgrade), Keep-Alive.
    /// </summary>
    private Framing ReadFields<TSink>(ref ReadOnlySpan<byte> rest, TSink sink, bool upgrade)
        where TSink : IResponseHeadSink
    {
        long contentLength = -1;
        string? transferEncoding = null;
        var close = false;
        var keepAlive = false;
        List<string>? nominated = null;
        for (var index = 0; ; index++)
        {
            var line = ResponseHeadParser.NextLine(ref rest);
            if (line.IsEmpty)
            {
                return new Framing(contentLength, transferEncoding, close, keepAlive, nominated);
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                throw Invalid("obsolete line folding");
            }

            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                throw Invalid("a header line has no colon");
            }

            var (name, kind) = _fields.Name(index, line[..colon]);
            var valueBytes = line[(colon + 1)..].Trim(" \t"u8);
            if (valueBytes.ContainsAny((byte)0, (byte)'\r'))
            {
                throw Invalid($"the value of {name} contains CR or NUL");
            }

            var value = _fields.Value(index, valueBytes);
            switch (kind)
            {
                case FieldKind.ContentLength:
                    var length = ParseContentLength(value);
                    if (contentLength >= 0 && length != contentLength)
                    {
                        throw Invalid("Content-Length is given twice with different values");
                    }

                    if (contentLength < 0)
                    {
                        sink.ContentLength(name, value, length);
                    }

                    contentLength = length;
                    break;
                case FieldKind.TransferEncoding:
                    transferEncoding = transferEncoding is null ? value : transferEncoding + ", " + value;
                    break;
                case FieldKind.Connection:
                    foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        close |= token.Equals("close", StringComparison.OrdinalIgnoreCase);
                        keepAlive |= token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase);
                        if (!token.Equals("close", StringComparison.OrdinalIgnoreCase) && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
                            && !token.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
                        {
                            (nominated ??= []).Add(token);
                        }
                    }

                    if (upgrade)
                    {
                        sink.Add(name, value, content: false);
                    }

                    break;
                case FieldKind.HopByHop:
                    break;
                case FieldKind.ContentHeader:
                    sink.Add(name, value, content: true);
                    break;
                default:
                    sink.Add(name, value, content: false);
                    break;
            }
        }
    }

    /// <summary>RFC 9110 7.6.1: the fields a Connection header names are hop-by-hop too.</summary>
    private static void RemoveNominated<TSink>(List<string>? nominated, TSink sink)
        where TSink : IResponseHeadSink
    {
        foreach (var name in nominated ?? [])
        {
            if (name.AsSpan().IndexOfAny(" \t\"(),/:;<=>?@[\\]{}") < 0)
            {
                sink.Remove(name);
            }
        }
    }

    /// <summary>1*DIGIT, or a list of one repeated value (RFC 9110 8.6 lets a recipient accept that).</summary>
    private static long ParseContentLength(string value)
    {
        long? length = null;
        foreach (var range in value.AsSpan().Split(','))
        {
            var part = value.AsSpan()[range].Trim(' ');
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || (length is { } seen && seen != parsed))
            {
                throw Invalid($"Content-Length '{value}' is not a length");
            }

            length = parsed;
        }

        return length ?? throw Invalid("Content-Length is empty");
    }

    private static ReadOnlySpan<char> LastCoding(string codings)
    {
        var span = codings.AsSpan();
        var comma = span.LastIndexOf(',');
        var last = (comma < 0 ? span : span[(comma + 1)..]).Trim();
        var parameters = last.IndexOf(';');
        return (parameters < 0 ? last : last[..parameters]).Trim();
    }
}
