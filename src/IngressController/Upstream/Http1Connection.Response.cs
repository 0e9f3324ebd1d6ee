using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace KubeMesh.IngressController.Upstream;

internal sealed partial class Http1Connection
{
    /// <summary>A response head as read: the message, whether its body is already over, and whether the pod keeps the connection.</summary>
    private readonly record struct ResponseStart(HttpResponseMessage Response, bool Complete, bool KeepAlive);

    /// <summary>Reads response heads until a final one (interim 1xx are skipped, as HttpClient skips them; 101 is final).</summary>
    private async ValueTask<ResponseStart> ReadResponseAsync(HttpRequestMessage request, RequestHead head)
    {
        while (true)
        {
            int length;
            while (!ResponseHeadParser.TryFindEnd(Buffered, out length))
            {
                if (await FillAsync(default) == 0)
                {
                    throw Ended();
                }
            }

            var start = Parse(request, head, _buffer.AsSpan(_start, length));
            Consume(length);
            if (start is { } final)
            {
                return final;
            }
        }
    }

    /// <summary>The response head (RFC 9112 sections 4-6), or null for an interim response.</summary>
    private ResponseStart? Parse(HttpRequestMessage request, RequestHead head, ReadOnlySpan<byte> bytes)
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

        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Version = minor == 0 ? HttpVersion.Version10 : HttpVersion.Version11,
            RequestMessage = request,
        };
        if (!reason.IsEmpty && !System.Text.Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(status)))
        {
            response.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }

        var content = new Http1ResponseContent();
        response.Content = content;
        var framing = ReadFields(ref rest, response, content, status == 101);
        var keepAlive = minor == 1 ? !framing.Close : framing.KeepAlive;
        RemoveNominated(framing.Nominated, response, content);

        if (status == 101)
        {
            content.Stream = new Http1ResponseStream(this, response, Http1ResponseStream.Framing.Upgrade, 0, keepAlive: false);
            return new ResponseStart(response, Complete: false, KeepAlive: false);
        }

        if (head.HeadMethod || status is 204 or 304)
        {
            content.Stream = Http1ResponseStream.Empty();
            return new ResponseStart(response, Complete: true, keepAlive);
        }

        if (framing.TransferEncoding is { } codings)
        {
            // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and such a message may be an attack on framing.
            if (framing.ContentLength >= 0)
            {
                content.Headers.Remove("Content-Length");
                keepAlive = false;
            }

            var chunked = LastCoding(codings).Equals("chunked", StringComparison.OrdinalIgnoreCase);
            content.Stream = new Http1ResponseStream(this, response, chunked ? Http1ResponseStream.Framing.Chunked : Http1ResponseStream.Framing.Close, 0, keepAlive && chunked);
            return new ResponseStart(response, Complete: false, keepAlive && chunked);
        }

        if (framing.ContentLength == 0)
        {
            content.Stream = Http1ResponseStream.Empty();
            return new ResponseStart(response, Complete: true, keepAlive);
        }

        content.Stream = framing.ContentLength > 0
            ? new Http1ResponseStream(this, response, Http1ResponseStream.Framing.Length, framing.ContentLength, keepAlive)
            : new Http1ResponseStream(this, response, Http1ResponseStream.Framing.Close, 0, keepAlive: false);
        return new ResponseStart(response, Complete: false, keepAlive);
    }

    private readonly record struct Framing(long ContentLength, string? TransferEncoding, bool Close, bool KeepAlive, List<string>? Nominated);

    /// <summary>
    /// Adds the fields to the response, content fields to its content, and takes out what describes this hop:
    /// Transfer-Encoding, Connection (kept on a 101, which YARP needs to pass the upgrade on), Keep-Alive.
    /// </summary>
    private Framing ReadFields(ref ReadOnlySpan<byte> rest, HttpResponseMessage response, Http1ResponseContent content, bool upgrade)
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
                        content.Headers.TryAddWithoutValidation(name, value);
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
                        response.Headers.TryAddWithoutValidation(name, value);
                    }

                    break;
                case FieldKind.HopByHop:
                    break;
                case FieldKind.ContentHeader:
                    content.Headers.TryAddWithoutValidation(name, value);
                    break;
                default:
                    response.Headers.TryAddWithoutValidation(name, value);
                    break;
            }
        }
    }

    /// <summary>RFC 9110 7.6.1: the fields a Connection header names are hop-by-hop too.</summary>
    private static void RemoveNominated(List<string>? nominated, HttpResponseMessage response, Http1ResponseContent content)
    {
        foreach (var name in nominated ?? [])
        {
            if (name.AsSpan().IndexOfAny(" \t\"(),/:;<=>?@[\\]{}") < 0)
            {
                response.Headers.Remove(name);
                content.Headers.Remove(name);
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
