using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Rest.Discovery;
using KubeMesh.ApiServer.Rest.Handlers;
using KubeMesh.ApiServer.Rest.OpenApi;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// Sends each request to its handler: /version, discovery, OpenAPI, health and /metrics for non-resource paths; for resource
/// paths the kind by group, version and plural, then the verb and subresource, as kube-apiserver's installer maps
/// its REST storage.
/// </summary>
public sealed class RestRouter(
    ServedResources resources, DiscoveryDocuments discovery, OpenApiDocuments openApi, ObjectReads reads, ObjectWrites writes,
    WatchHandler watches, PatchHandler patches, ScaleHandler scales, PodLogHandler logs, PodExecHandler exec, PodBindingHandler bindings,
    SelfReviewHandler reviews, TokenRequestHandler tokens, MetricsScrape metrics)
{
    public Task RouteAsync(HttpContext context, RequestInfo info) =>
        info.IsResourceRequest ? ResourceAsync(context, info) : NonResourceAsync(context, info);

    private async Task NonResourceAsync(HttpContext context, RequestInfo info)
    {
        if (info.Verb is not ("get" or "head"))
        {
            throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {info.Path})");
        }

        var path = info.Path.TrimEnd('/');
        var aggregated = Negotiation.WantsAggregatedDiscovery(context.Request);
        JsonObject? body = path switch
        {
            "/version" => VersionInfo.Document(),
            "/api" when aggregated => discovery.Aggregated(core: true),
            "/api" => discovery.CoreVersions($"{context.Request.Host}"),
            "/apis" when aggregated => discovery.Aggregated(core: false),
            "/apis" => discovery.GroupList(),
            "/openapi/v3" => openApi.Index(),
            _ when path.StartsWith("/openapi/v3/", StringComparison.Ordinal) => openApi.Find(path["/openapi/v3/".Length..]),
            _ when info.ApiPrefix == "api" && info.ApiVersion.Length > 0 => discovery.ResourceList("", info.ApiVersion),
            _ when info.ApiPrefix == "apis" && info.ApiVersion.Length > 0 => discovery.ResourceList(info.ApiGroup, info.ApiVersion),
            _ when info.ApiPrefix == "apis" && info.ApiGroup.Length > 0 => discovery.Group(info.ApiGroup),
            _ => null,
        };
        if (path == "/metrics")
        {
            await metrics.WriteAsync(context);
            return;
        }

        if (path is "/healthz" or "/livez" or "/readyz")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted);
            return;
        }

        if (body is null)
        {
            throw RestException.NotFound();
        }

        if (aggregated && path is "/api" or "/apis")
        {
            context.Response.Headers.Vary = "Accept";
            await RestResponses.WriteAsync(context, 200, body, Negotiation.AggregatedDiscovery);
            return;
        }

        await RestResponses.WriteAsync(context, 200, body);
    }

    private Task ResourceAsync(HttpContext context, RequestInfo info)
    {
        if (SelfReviewHandler.Serves(info))
        {
            return reviews.CreateAsync(context, info);
        }

        var resource = resources.Find(info.ApiGroup, info.ApiVersion, info.Resource)
            ?? throw RestException.NotFound();
        var request = new ResourceRequest(resource, info);
        var kind = resource.Kind;
        // A cluster-scoped kind has no namespaced path (namespaces themselves aside: their name is the path's namespace).
        if (!kind.Namespaced && info.Namespace.Length > 0 && info.Resource != "namespaces")
        {
            throw RestException.NotFound();
        }

        if (info.Subresource.Length > 0)
        {
            return SubresourceAsync(context, request);
        }

        var namespacedItem = kind.Namespaced && info.Namespace.Length == 0 && info.Verb is not ("list" or "watch");
        if (namespacedItem)
        {
            throw RestException.NotFound($"the server could not find the requested resource: {kind.Plural} live in a namespace (use /namespaces/NAMESPACE/{kind.Plural})");
        }

        return info.Verb switch
        {
            "get" => reads.GetAsync(context, request),
            "list" => reads.ListAsync(context, request),
            "watch" => watches.WatchAsync(context, request),
            "create" when info.Name.Length == 0 => Allowed(resource, "create", () => writes.CreateAsync(context, request)),
            "update" => Allowed(resource, "update", () => writes.UpdateAsync(context, request, status: false)),
            "patch" => Allowed(resource, "patch", () => patches.PatchAsync(context, request, status: false)),
            "delete" => Allowed(resource, "delete", () => writes.DeleteAsync(context, request)),
            "deletecollection" => Allowed(resource, "deletecollection", () => writes.DeleteCollectionAsync(context, request)),
            _ => throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {kind.Plural})"),
        };
    }

    private Task SubresourceAsync(HttpContext context, ResourceRequest request)
    {
        var info = request.Info;
        var sub = request.Resource.FindSubresource(info.Subresource) ?? throw (info.Subresource, request.Kind.Plural) switch
        {
            ("portforward", "pods") => RestException.NotFound("pods/portforward is not served: port forwarding needs SPDY framing, which this api-server does not speak"),
            ("attach", "pods") => RestException.NotFound("pods/attach is not served: containers here run without a console to attach to; use kubectl logs -f or exec"),
            _ => RestException.NotFound(),
        };
        if (!sub.Verbs.Contains(info.Verb))
        {
            throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {request.Kind.Plural}/{sub.Name})");
        }

        return (sub.Name, info.Verb) switch
        {
            ("status", "get") => reads.GetAsync(context, request),
            ("status", "update") => writes.UpdateAsync(context, request, status: true),
            ("status", "patch") => patches.PatchAsync(context, request, status: true),
            ("scale", "get") => scales.GetAsync(context, request),
            ("scale", "update") => scales.WriteAsync(context, request, patch: false),
            ("scale", "patch") => scales.WriteAsync(context, request, patch: true),
            ("log", "get") => logs.GetAsync(context, request),
            ("exec", "get" or "create") => exec.ExecAsync(context, request),
            ("binding", "create") => bindings.CreateAsync(context, request),
            ("token", "create") => tokens.CreateAsync(context, request),
            _ => throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method} {request.Kind.Plural}/{sub.Name})"),
        };
    }

    private static Task Allowed(ServedResource resource, string verb, Func<Task> handler) =>
        resource.Verbs.Contains(verb)
            ? handler()
            : throw RestException.MethodNotAllowed($"the server does not allow this method on the requested resource ({verb} {resource.Kind.Plural})");
}
