using System.Collections.Frozen;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// What the request head promised about what follows it: the body's framing, a wait for 100 Continue, a protocol
/// upgrade, and whether the response to it can have a body (not to HEAD).
/// </summary>
internal readonly record struct RequestHead(long ContentLength, bool Chunked, bool ExpectContinue, bool Upgrade, bool HeadMethod)
{
    public bool HasBody => Chunked || ContentLength > 0;

    // Hop-by-hop (RFC 9110 7.6.1): they describe the client's connection, not this one. YARP leaves most out already;
    // Connection and Upgrade come back for an upgrade, which is this connection's business.
    private static readonly FrozenSet<string> HopByHop = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Upgrade", "Host", "Content-Length");

    /// <summary>
    /// Writes the request line and header fields of <paramref name="request"/>. With <paramref name="trace"/>, the
    /// propagator's fields carry that context instead of the ones the client sent, as YARP's ReverseProxyPropagator does.
    /// </summary>
    public static RequestHead Write(HttpRequestMessage request, RequestHeadBuffer head, Activity? trace, DistributedContextPropagator propagator,
        FrozenSet<string> propagatorFields)
    {
        var uri = request.RequestUri!;
        var method = request.Method;
        head.Clear();
        head.WriteAscii(method.Method);
        head.Write(" "u8);
        head.WriteAscii(uri.PathAndQuery);
        head.Write(" HTTP/1.1\r\nHost: "u8);
        var headers = request.Headers.NonValidated;
        if (headers.TryGetValues("Host", out var host) && host.Count > 0)
        {
            head.WriteValue("Host", First(host));
        }
        else
        {
            head.WriteAscii(uri.Authority);
        }

        head.Write("\r\n"u8);
        string? connection = null;
        string? upgrade = null;
        var expectContinue = false;
        foreach (var (name, values) in headers)
        {
            if (HopByHop.Contains(name))
            {
                connection = name.Equals("Connection", StringComparison.OrdinalIgnoreCase) ? Join(name, values) : connection;
                upgrade = name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) ? Join(name, values) : upgrade;
                continue;
            }

            if (trace is not null && propagatorFields.Contains(name))
            {
                continue;
            }

            var value = Join(name, values);
            expectContinue |= name.Equals("Expect", StringComparison.OrdinalIgnoreCase) && value.Equals("100-continue", StringComparison.OrdinalIgnoreCase);
            head.WriteHeader(name, value);
        }

        var isUpgrade = upgrade is not null && connection is not null && HasToken(connection, "upgrade");
        if (isUpgrade)
        {
            head.WriteHeader("Connection", connection!);
            head.WriteHeader("Upgrade", upgrade!);
        }

        if (trace is not null)
        {
            propagator.Inject(trace, head, static (carrier, field, value) => ((RequestHeadBuffer)carrier!).WriteHeader(field, value));
        }

        var (contentLength, chunked) = WriteContentHeaders(request, head, method);
        head.Write("\r\n"u8);
        return new RequestHead(contentLength, chunked, expectContinue && (chunked || contentLength > 0), isUpgrade, method == HttpMethod.Head);
    }

    /// <summary>The content's own fields and the body's framing: its Content-Length when known, else chunked.</summary>
    private static (long ContentLength, bool Chunked) WriteContentHeaders(HttpRequestMessage request, RequestHeadBuffer head, HttpMethod method)
    {
        if (request.Content is not { } content)
        {
            // As SocketsHttpHandler: a method whose body means something says it has none.
            if (method != HttpMethod.Get && method != HttpMethod.Head && method != HttpMethod.Delete && method != HttpMethod.Options
                && method != HttpMethod.Connect)
            {
                head.Write("Content-Length: 0\r\n"u8);
            }

            return (0, false);
        }

        // Asked through the property, as HttpClient asks: a content that knows its length (byte arrays, strings) says it
        // there; YARP's copy of the client's body carries the client's Content-Length, or none for a chunked body.
        var length = content.Headers.ContentLength;
        foreach (var (name, values) in content.Headers.NonValidated)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                head.WriteHeader(name, Join(name, values));
            }
        }

        if (length is { } known)
        {
            head.Write("Content-Length: "u8);
            head.WriteDecimal(known);
            head.Write("\r\n"u8);
            return (known, false);
        }

        head.Write("Transfer-Encoding: chunked\r\n"u8);
        return (0, true);
    }

    private static string First(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return value;
        }

        return "";
    }

    /// <summary>One field line per name: several values are joined as HttpClient joins them (Cookie with "; ").</summary>
    private static string Join(string name, HeaderStringValues values) => values.Count == 1
        ? First(values)
        : string.Join(name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ", values);

    internal static bool HasToken(string list, string token)
    {
        foreach (var range in list.AsSpan().Split(','))
        {
            if (list.AsSpan()[range].Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
