using System.Net;
using System.Net.Sockets;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// Turns an ingress backend into the pods' addresses, as ingress-nginx does: the Service port (by number or name)
/// names the Endpoints port, and traffic goes straight to the ready endpoint addresses, skipping the service IP.
/// </summary>
internal static class BackendResolver
{
    /// <summary>The destination URLs, empty when the service, its port or a ready endpoint is missing.</summary>
    public static IReadOnlyList<string> Resolve(IngressState state, string @namespace, IngressServiceBackend backend)
    {
        var service = state.GetService(@namespace, backend.Name);
        if (service?.Spec is not { } spec)
        {
            return [];
        }

        var servicePort = spec.Ports.FirstOrDefault(p =>
            backend.Port is { Number: > 0 } number ? p.Port == number.Number : p.Name == backend.Port?.Name);
        if (servicePort is null)
        {
            return [];
        }

        if (spec.Type == "ExternalName" && spec.ExternalName.Length > 0)
        {
            var port = servicePort.TargetPort?.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.NumberValue
                ? (int)servicePort.TargetPort.NumberValue
                : servicePort.Port;
            return [Url(spec.ExternalName, port)];
        }

        var endpoints = state.GetEndpoints(@namespace, backend.Name);
        if (endpoints is null)
        {
            return [];
        }

        var urls = new List<string>();
        foreach (var subset in endpoints.Subsets)
        {
            var endpointPort = subset.Ports.FirstOrDefault(p => p.Name == servicePort.Name)
                ?? (subset.Ports.Count == 1 && spec.Ports.Count == 1 ? subset.Ports[0] : null);
            if (endpointPort is null)
            {
                continue;
            }

            foreach (var address in subset.Addresses)
            {
                urls.Add(Url(address.Ip, endpointPort.Port));
            }
        }

        urls.Sort(StringComparer.Ordinal);
        return urls;
    }

    private static string Url(string host, int port) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"http://[{host}]:{port}"
            : $"http://{host}:{port}";
}
