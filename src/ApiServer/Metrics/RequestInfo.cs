using System.Collections.Frozen;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>
/// What a request is in kube-apiserver's terms (its RequestInfo): the verb as its metrics spell it (GET, LIST, WATCH,
/// POST, PUT, DELETE, APPLY, CONNECT), the kind and the subresource. <see cref="ForGrpcMethod"/> reads it from a gRPC
/// method's full name.
/// </summary>
public sealed record RequestInfo(string Verb, ResourceKind? Kind, string Subresource = "")
{
    private static readonly FrozenDictionary<string, RequestInfo> ByMethod = Build();

    /// <summary>The request a gRPC method ("/kubemesh.core.v1.PodService/Create") serves; null for methods outside the API (health, reflection).</summary>
    public static RequestInfo? ForGrpcMethod(string method) => ByMethod.GetValueOrDefault(method);

    private static FrozenDictionary<string, RequestInfo> Build()
    {
        var map = new Dictionary<string, RequestInfo>(StringComparer.Ordinal);
        foreach (var kind in ResourceKinds.All)
        {
            foreach (var method in kind.Service.Methods)
            {
                RequestInfo? info = method.Name switch
                {
                    "Create" => new("POST", kind),
                    "Get" => new("GET", kind),
                    "List" => new("LIST", kind),
                    "Update" => new("PUT", kind),
                    "UpdateStatus" => new("PUT", kind, "status"),
                    "Delete" => new("DELETE", kind),
                    "Watch" => new("WATCH", kind),
                    "Bind" => new("POST", kind, "binding"),
                    "GetLogs" => new("GET", kind, "log"),
                    "Exec" => new("CONNECT", kind, "exec"),
                    _ => null,
                };
                if (info is not null)
                {
                    map.TryAdd($"/{method.Service.FullName}/{method.Name}", info);
                }
            }
        }

        foreach (var method in ManifestService.Descriptor.Methods)
        {
            map[$"/{method.Service.FullName}/{method.Name}"] = new("APPLY", null);
        }

        foreach (var method in DiscoveryService.Descriptor.Methods)
        {
            map[$"/{method.Service.FullName}/{method.Name}"] = new("GET", null);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
