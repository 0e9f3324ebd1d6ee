using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Services;

/// <summary>kubectl api-resources: every kind this server stores, with the gRPC service that serves it.</summary>
public sealed class DiscoveryApi : DiscoveryService.DiscoveryServiceBase
{
    public override Task<ListResourcesResponse> ListResources(ListResourcesRequest request, ServerCallContext context)
    {
        var response = new ListResourcesResponse();
        foreach (var kind in ResourceKinds.All)
        {
            var resource = new ApiResource
            {
                Name = kind.Plural,
                ApiVersion = kind.ApiVersion,
                Namespaced = kind.Namespaced,
                Kind = kind.Kind,
                GrpcService = kind.Service.FullName,
            };
            resource.ShortNames.Add(kind.ShortNames);
            resource.Verbs.Add(kind.Service.Methods.Select(m => Verb(m.Name)));
            response.Resources.Add(resource);
        }

        return Task.FromResult(response);
    }

    private static string Verb(string method) => method switch
    {
        "UpdateStatus" => "update/status",
        "GetLogs" => "get/log",
        "Bind" => "create/binding",
        "Exec" => "create/exec",
        _ => method.ToLowerInvariant(),
    };
}
