using System.Collections.Frozen;
using KubeMesh.Api;
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

    private static FrozenDictionary<string, RequestInfo> Build() =>
        ApiCall.All.ToFrozenDictionary(
            e => e.Key,
            e => new RequestInfo(
                e.Value.Verb switch
                {
                    "create" when e.Value.Subresource == "exec" => "CONNECT",
                    "create" => "POST",
                    "update" => "PUT",
                    var verb => verb.ToUpperInvariant(),
                },
                e.Value.Kind,
                e.Value.Subresource),
            StringComparer.Ordinal);
}
