using System.Text.Json.Nodes;
using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Registry;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>get and list: the object or list as JSON, or as a Table when the Accept header asks for one (kubectl's human output).</summary>
public sealed class ObjectReads(ResourceRegistry registry, TimeProvider clock)
{
    public async Task GetAsync(HttpContext context, ResourceRequest request)
    {
        var obj = await registry.GetAsync(request.Kind, request.Namespace, request.Name);
        if (Negotiation.WantsTable(context.Request))
        {
            var include = TableRenderer.IncludeObject(context.Request.Query["includeObject"]);
            await RestResponses.WriteAsync(context, 200, TableRenderer.Render(request.Kind, [obj], request.Kind.Metadata(obj).ResourceVersion, include, clock.GetUtcNow()));
            return;
        }

        await RestResponses.WriteAsync(context, 200, RestObjects.Encode(obj));
    }

    public async Task ListAsync(HttpContext context, ResourceRequest request)
    {
        var (items, revision) = await ListObjectsAsync(context, request);
        JsonNode body = Negotiation.WantsTable(context.Request)
            ? TableRenderer.Render(request.Kind, items, RestObjects.Revision(revision), TableRenderer.IncludeObject(context.Request.Query["includeObject"]), clock.GetUtcNow())
            : RestObjects.EncodeList(request.Kind, items, revision);
        await RestResponses.WriteAsync(context, 200, body);
    }

    /// <summary>
    /// The objects the selectors match, at one revision. limit and continue are accepted and the whole list is
    /// answered in one page, as kube-apiserver does when it serves a list from its watch cache.
    /// </summary>
    public Task<(IReadOnlyList<IMessage> Items, long Revision)> ListObjectsAsync(HttpContext context, ResourceRequest request) =>
        registry.ListAsync(request.Kind, ObjectFilter.From(request.Kind, new ListRequest
        {
            Namespace = request.Namespace,
            LabelSelector = context.Request.Query["labelSelector"].ToString(),
            FieldSelector = context.Request.Query["fieldSelector"].ToString(),
        }));
}
