using System.Globalization;
using Microsoft.AspNetCore.Connections.Features;
using Yarp.ReverseProxy.Transforms;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The headers nginx adds besides YARP's X-Forwarded-For/Proto/Host: X-Real-IP and X-Forwarded-Port. The client
/// address string is formatted once per connection, not per request.
/// </summary>
internal static class ForwardedHeaders
{
    private static readonly object ClientAddressKey = new();
    private static readonly string?[] Ports = new string?[65536];

    public static ValueTask AddAsync(RequestTransformContext context)
    {
        var http = context.HttpContext;
        var headers = context.ProxyRequest.Headers;
        // Set, not added to what the client claimed, as nginx's proxy_set_header and YARP's X-Forwarded-For do.
        headers.Remove("X-Real-IP");
        if (ClientAddress(http) is { } address)
        {
            headers.TryAddWithoutValidation("X-Real-IP", address);
        }

        headers.Remove("X-Forwarded-Port");
        headers.TryAddWithoutValidation("X-Forwarded-Port", Port(http.Connection.LocalPort));
        return ValueTask.CompletedTask;
    }

    // A benign race: two threads may format the same port once each.
    private static string Port(int port) =>
        Ports[port] ??= port.ToString(CultureInfo.InvariantCulture);

    internal static string? ClientAddress(HttpContext http)
    {
        var items = http.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null)
        {
            return http.Connection.RemoteIpAddress?.ToString();
        }

        if (items.TryGetValue(ClientAddressKey, out var cached))
        {
            return (string?)cached;
        }

        var address = http.Connection.RemoteIpAddress?.ToString();
        items[ClientAddressKey] = address;
        return address;
    }
}
