using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Services;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// watch=true: one JSON event per line, {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":...}, flushed as
/// it happens on a response kept open until the client leaves or timeoutSeconds passes. The events come from the
/// same <see cref="WatchStreamer"/> as the gRPC Watch; with as=Table each object is a one-row Table. A revision
/// older than the kept history ends the stream with an ERROR event carrying a 410 Expired Status.
/// </summary>
public sealed class WatchHandler(WatchStreamer watches, TimeProvider clock)
{
    public async Task WatchAsync(HttpContext context, ResourceRequest request)
    {
        var query = context.Request.Query;
        var watch = new WatchRequest
        {
            Namespace = request.Namespace,
            LabelSelector = query["labelSelector"].ToString(),
            FieldSelector = query["fieldSelector"].ToString(),
            ResourceVersion = query["resourceVersion"].ToString(),
            AllowWatchBookmarks = RequestInfoResolver.IsTrue(query["allowWatchBookmarks"]),
        };
        if (request.Name.Length > 0)
        {
            watch.FieldSelector = watch.FieldSelector.Length == 0 ? $"metadata.name={request.Name}" : $"{watch.FieldSelector},metadata.name={request.Name}";
        }

        // Bad selectors and revisions are refused before the stream starts, as a plain error.
        ObjectFilter.From(request.Kind, watch);
        if (watch.ResourceVersion is not ("" or "0"))
        {
            ResourceVersions.Parse(watch.ResourceVersion);
        }

        var table = Negotiation.WantsTable(context.Request);
        var include = TableRenderer.IncludeObject(query["includeObject"]);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (query["timeoutSeconds"].ToString() is { Length: > 0 } seconds && long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Min(limit, int.MaxValue / 1000)));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = RestResponses.Json;
        await context.Response.StartAsync(context.RequestAborted);
        // Headers now, not with the first event: a client waits for them before it does what it expects to see.
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await watches.StreamAsync(request.Kind, watch, e => WriteAsync(context, request, EncodedMessage.Unwrap(e), table, include, timeout.Token), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The client left, or timeoutSeconds passed: the stream just ends.
        }
        catch (RpcException ex)
        {
            await WriteEventAsync(context, "ERROR", StatusErrors.From(ex), timeout.Token);
        }
    }

    private Task WriteAsync(HttpContext context, ResourceRequest request, IMessage watchEvent, bool table, string include, CancellationToken ct)
    {
        var descriptor = watchEvent.Descriptor;
        var type = (string)descriptor.FindFieldByName("type").Accessor.GetValue(watchEvent);
        var obj = (IMessage)descriptor.FindFieldByName("object").Accessor.GetValue(watchEvent);
        JsonNode body;
        if (!table)
        {
            body = RestObjects.Encode(obj);
        }
        else
        {
            var revision = request.Kind.Metadata(obj).ResourceVersion;
            // A bookmark carries only a revision: a Table without rows says as much.
            body = TableRenderer.Render(request.Kind, type == "BOOKMARK" ? [] : [obj], revision, include, clock.GetUtcNow());
        }

        return WriteEventAsync(context, type, body, ct);
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonNode body, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(RestResponses.Bytes(new JsonObject { ["type"] = type, ["object"] = body }), ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
