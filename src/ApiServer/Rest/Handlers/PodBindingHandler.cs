using System.Text.Json.Nodes;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Services;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// POST pods/NAME/binding, what a scheduler sends to put a pod on a node: the same bind as the gRPC PodService
/// (spec.nodeName set once, the PodScheduled condition), answered with a Success Status as kube-apiserver does.
/// </summary>
public sealed class PodBindingHandler(PodSubresourceApi pods)
{
    public async Task CreateAsync(HttpContext context, ResourceRequest request)
    {
        var options = RequestOptions.From(context.Request);
        var binding = await RequestBodies.ReadSubresourceAsync<Binding>(context, Binding.Descriptor, "v1", "Binding", options.FieldValidation);

        var meta = binding.Metadata ??= new();
        if (meta.Name.Length > 0 && meta.Name != request.Name)
        {
            throw RestException.BadRequest($"the name of the binding ({meta.Name}) does not match the pod's name ({request.Name})");
        }

        meta.Name = request.Name;
        meta.Namespace = request.Namespace;
        if (!options.DryRun)
        {
            await pods.BindAsync(binding);
        }

        await RestResponses.WriteAsync(context, 201, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["code"] = 201,
        });
    }
}
