using System.Collections.Frozen;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api;

/// <summary>
/// What a call to one of the api-server's gRPC methods asks for, in the API's own terms: the verb as RBAC and the
/// api-server's spans spell it (create, get, list, update, delete, watch), the kind and the subresource
/// ("/kubemesh.core.v1.PodService/UpdateStatus" is update pods/status). The api-server's metrics and its clients'
/// spans read it from the method's full name, so both sides name a call alike.
/// </summary>
public sealed record ApiCall(string Verb, ResourceKind? Kind, string Subresource = "")
{
    private static readonly FrozenDictionary<string, ApiCall> ByMethod = Build();

    /// <summary>Every method of the API by full name ("/kubemesh.core.v1.PodService/Create").</summary>
    public static IReadOnlyDictionary<string, ApiCall> All => ByMethod;

    /// <summary>The call a gRPC method ("/kubemesh.core.v1.PodService/Create") makes; null for methods outside the API (health, reflection).</summary>
    public static ApiCall? ForGrpcMethod(string method) => ByMethod.GetValueOrDefault(method);

    /// <summary>The resource as RBAC names it: "pods", "pods/status", "deployments"; empty for calls not about one kind.</summary>
    public string Resource => Kind is null ? "" : Subresource.Length == 0 ? Kind.Plural : Kind.Plural + "/" + Subresource;

    private static FrozenDictionary<string, ApiCall> Build()
    {
        var map = new Dictionary<string, ApiCall>(StringComparer.Ordinal);
        foreach (var kind in ResourceKinds.All)
        {
            foreach (var method in kind.Service.Methods)
            {
                ApiCall? call = method.Name switch
                {
                    "Create" => new("create", kind),
                    "Get" => new("get", kind),
                    "List" => new("list", kind),
                    "Update" => new("update", kind),
                    "UpdateStatus" => new("update", kind, "status"),
                    "Delete" => new("delete", kind),
                    "Watch" => new("watch", kind),
                    "Bind" => new("create", kind, "binding"),
                    "GetLogs" => new("get", kind, "log"),
                    "Exec" => new("create", kind, "exec"),
                    _ => null,
                };
                if (call is not null)
                {
                    map.TryAdd($"/{method.Service.FullName}/{method.Name}", call);
                }
            }
        }

        foreach (var method in ManifestService.Descriptor.Methods)
        {
            map[$"/{method.Service.FullName}/{method.Name}"] = new("apply", null);
        }

        foreach (var method in DiscoveryService.Descriptor.Methods)
        {
            map[$"/{method.Service.FullName}/{method.Name}"] = new("get", null);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
