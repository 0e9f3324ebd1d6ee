using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// RFC 9110 7.6.1: the fields a client's Connection header names describe its connection to this proxy and are not
/// passed on (YARP leaves out only the standard hop-by-hop fields). A plain keep-alive or close costs one comparison.
/// Kestrel hands on a Connection value that lists keep-alive as just "keep-alive", so the fields named beside it
/// cannot be seen here; HTTP/1.1 clients rarely send keep-alive, their default.
/// </summary>
internal static class HopByHopHeaders
{
    public static ValueTask RemoveNominatedAsync(RequestTransformContext context)
    {
        var connection = context.HttpContext.Request.Headers.Connection;
        if (connection.Count == 0 || (connection.Count == 1 && IsStandard(connection[0])))
        {
            return ValueTask.CompletedTask;
        }

        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var name = value.AsSpan()[range].Trim();
                if (!name.IsEmpty && !IsStandard(name) && !name.Equals(HeaderNames.Upgrade, StringComparison.OrdinalIgnoreCase))
                {
                    // Looked up first: Remove throws for a name that is not a header name or belongs to the other collection.
                    var field = name.ToString();
                    if (context.ProxyRequest.Headers.NonValidated.Contains(field))
                    {
                        context.ProxyRequest.Headers.Remove(field);
                    }

                    if (context.ProxyRequest.Content?.Headers is { } content && content.NonValidated.Contains(field))
                    {
                        content.Remove(field);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsStandard(ReadOnlySpan<char> token) =>
        token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || token.Equals("close", StringComparison.OrdinalIgnoreCase);
}
