using System.Collections.Frozen;
using System.Diagnostics;
using KubeMesh.IngressController.Upstream;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The HTTP/1.1 request head the controller's own forwarding path sends a pod for a client's request without a
/// body: what YARP's forwarder with the controller's transforms would send. The client's Host (as behind
/// ingress-nginx), every end-to-end field, X-Forwarded-For/Proto/Host/Port and X-Real-IP set to what this hop saw
/// (whatever the client claimed), and the trace context.
/// </summary>
internal static class DirectRequestHead
{
    // Hop-by-hop fields (RFC 9110 7.6.1) and the proxy-only fields YARP leaves out, and the ones this hop sets itself.
    internal static readonly FrozenSet<string> NotForwarded = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Upgrade", "Host", "Content-Length",
        "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction",
        "Security-Scheme", "ALPN", "Close", "HTTP2-Settings",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP");

    /// <summary>Writes the head of <paramref name="context"/>'s request, which has no body.</summary>
    public static RequestHead Write(HttpContext context, RequestHeadBuffer head, string destinationAuthority, Activity? trace, UpstreamSettings settings)
    {
        var request = context.Request;
        var method = request.Method;
        head.Clear();
        head.WriteAscii(method);
        head.Write(" "u8);
        WriteTarget(request, head);
        head.Write(" HTTP/1.1\r\nHost: "u8);
        var host = request.Host.Value;
        if (string.IsNullOrEmpty(host))
        {
            head.WriteAscii(destinationAuthority);
        }
        else
        {
            head.WriteValue("Host", host);
        }

        head.Write("\r\n"u8);
        var headers = request.Headers;
        var nominated = headers.Connection;
        var skipNominated = nominated.Count > 0 && !(nominated.Count == 1 && IsStandard(nominated[0]));
        var propagatorFields = trace is null ? null : settings.PropagatorFields;
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith(':') || NotForwarded.Contains(name) || (propagatorFields?.Contains(name) ?? false)
                || (skipNominated && Nominates(nominated, name)))
            {
                continue;
            }

            head.WriteHeader(name, Join(name, values));
        }

        WriteForwarded(head, ForwardedHeaders.ClientAddress(context), request.Scheme, host, context.Connection.LocalPort);
        if (request.PathBase.HasValue)
        {
            head.WriteHeader("X-Forwarded-Prefix", request.PathBase.ToUriComponent());
        }

        var headMethod = WriteEnd(head, trace, settings, method);
        head.Write("\r\n"u8);
        return new RequestHead(0, Chunked: false, ExpectContinue: false, Upgrade: false, headMethod);
    }

    /// <summary>What this hop saw, whatever the client claimed: X-Real-IP, X-Forwarded-For/Proto/Host/Port.</summary>
    internal static void WriteForwarded(RequestHeadBuffer head, string? client, string scheme, string? host, int localPort)
    {
        if (client is not null)
        {
            head.WriteHeader("X-Real-IP", client);
            head.WriteHeader("X-Forwarded-For", client);
        }

        head.Write("X-Forwarded-Proto: "u8);
        head.WriteAscii(scheme);
        head.Write("\r\n"u8);
        if (!string.IsNullOrEmpty(host))
        {
            head.WriteHeader("X-Forwarded-Host", host);
        }

        head.Write("X-Forwarded-Port: "u8);
        head.WriteDecimal(localPort);
        head.Write("\r\n"u8);
    }

    /// <summary>The trace context, and the length of the body there is not; whether the method is HEAD.</summary>
    internal static bool WriteEnd(RequestHeadBuffer head, Activity? trace, UpstreamSettings settings, string method)
    {
        if (trace is not null)
        {
            settings.Propagator.Inject(trace, head, static (carrier, field, value) => ((RequestHeadBuffer)carrier!).WriteHeader(field, value));
        }

        // As SocketsHttpHandler: a method whose body means something says it has none.
        var headMethod = HttpMethods.IsHead(method);
        if (!HttpMethods.IsGet(method) && !headMethod && !HttpMethods.IsDelete(method) && !HttpMethods.IsOptions(method))
        {
            head.Write("Content-Length: 0\r\n"u8);
        }

        return headMethod;
    }

    /// <summary>The path as rewritten (escaped as a URI path, as YARP writes it) and the query as the client sent it.</summary>
    private static void WriteTarget(HttpRequest request, RequestHeadBuffer head)
    {
        var pathBase = request.PathBase;
        var path = request.Path;
        if (!pathBase.HasValue && !path.HasValue)
        {
            head.Write("/"u8);
        }
        else
        {
            head.WriteAscii(pathBase.ToUriComponent());
            head.WriteAscii(path.ToUriComponent());
        }

        if (request.QueryString.Value is { Length: > 0 } query)
        {
            head.WriteValue("the request target", query);
        }
    }

    /// <summary>One field line per name: several values joined as HttpClient joins them (Cookie with "; ").</summary>
    private static string Join(string name, StringValues values) => values.Count == 1
        ? values[0] ?? ""
        : string.Join(name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase) ? "; " : ", ", values.ToArray());

    private static bool Nominates(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            if (value is not null && RequestHead.HasToken(value, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStandard(string? token) =>
        token is not null && (token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || token.Equals("close", StringComparison.OrdinalIgnoreCase));
}
