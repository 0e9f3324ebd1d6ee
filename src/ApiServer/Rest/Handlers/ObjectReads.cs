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
        var query = context.Request.Query;
        var page = await registry.ListPageAsync(request.Kind, Filter(context, request), new ListRequest
        {
            Limit = QueryValues.Integer(query, "limit") ?? 0,
            Continue = query["continue"].ToString(),
            ResourceVersion = query["resourceVersion"].ToString(),
            ResourceVersionMatch = query["resourceVersionMatch"].ToString(),
        });
        var body = Negotiation.WantsTable(context.Request)
            ? TableRenderer.Render(request.Kind, page.Items, RestObjects.Revision(page.Revision), TableRenderer.IncludeObject(query["includeObject"]), clock.GetUtcNow())
            : RestObjects.EncodeList(request.Kind, page.Items, page.Revision);
        if (page.Continue.Length > 0)
        {
            var meta = body["metadata"]!.AsObject();
            meta["continue"] = page.Continue;
            if (page.RemainingItemCount is { } remaining)
            {
                meta["remainingItemCount"] = remaining;
            }
        }

        await RestResponses.WriteAsync(context, 200, body);
    }

    /// <summary>Every object the selectors match, at one revision, in one piece (deletecollection's list).</summary>
    public Task<(IReadOnlyList<IMessage> Items, long Revision)> ListObjectsAsync(HttpContext context, ResourceRequest request) =>
        registry.ListAsync(request.Kind, Filter(context, request));

    private static ObjectFilter Filter(HttpContext context, ResourceRequest request) =>
        ObjectFilter.From(request.Kind, new ListRequest
        {
            Namespace = request.Namespace,
            LabelSelector = context.Request.Query["labelSelector"].ToString(),
            FieldSelector = context.Request.Query["fieldSelector"].ToString(),
        });
}
