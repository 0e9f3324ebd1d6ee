using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Rest.Patch;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// The scale subresource (GET, PUT, PATCH .../scale): the object's spec.replicas, status.replicas and selector as an
/// autoscaling/v1 Scale. Writing one updates spec.replicas through the registry, validated as any update is.
/// </summary>
public sealed class ScaleHandler(ResourceRegistry registry, ObjectWrites writes)
{
    private const int MaxConflictRetries = 5;

    public async Task GetAsync(HttpContext context, ResourceRequest request) =>
        await RestResponses.WriteAsync(context, 200, Scale(request, await registry.GetAsync(request.Kind, request.Namespace, request.Name)));

    /// <summary>PUT with a Scale body (kubectl may send it without a Content-Type), or PATCH of the Scale.</summary>
    public async Task WriteAsync(HttpContext context, ResourceRequest request, bool patch)
    {
        var options = RequestOptions.From(context.Request);
        var type = patch ? PatchHandler.PatchType(context.Request) : "";
        var body = patch ? await RequestBodies.ReadJsonAsync(context, type) : await RequestBodies.ReadJsonAsync(context);
        for (var attempt = 0; ; attempt++)
        {
            var current = await registry.GetAsync(request.Kind, request.Namespace, request.Name);
            var currentScale = Scale(request, current);
            var scale = patch ? PatchHandler.Apply(type, currentScale, body, PatchSchema.Untyped) : body as JsonObject
                ?? throw RestException.BadRequest("Scale in version \"v1\" cannot be handled as a Scale: the body must be a JSON object");
            var (replicas, resourceVersion) = Read(scale, request.Name);
            var updated = current.Clone();
            var spec = request.Kind.Spec(updated)!;
            spec.Descriptor.FindFieldByName("replicas").Accessor.SetValue(spec, replicas);
            var preconditioned = resourceVersion.Length > 0 && resourceVersion != request.Kind.Metadata(current).ResourceVersion;
            request.Kind.Metadata(updated).ResourceVersion = resourceVersion.Length > 0 ? resourceVersion : request.Kind.Metadata(current).ResourceVersion;
            try
            {
                var written = await writes.WriteAsync(request, updated, status: false, options.DryRun);
                await RestResponses.WriteAsync(context, 200, Scale(request, written));
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && !preconditioned && attempt < MaxConflictRetries)
            {
            }
        }
    }

    private static JsonObject Scale(ResourceRequest request, IMessage obj)
    {
        var kind = request.Kind;
        var meta = kind.Metadata(obj);
        var spec = kind.Spec(obj);
        var replicasField = spec?.Descriptor.FindFieldByName("replicas");
        var desired = spec is not null && replicasField!.Accessor.HasValue(spec) ? (int)replicasField.Accessor.GetValue(spec) : 1;
        var status = kind.Status(obj);
        var current = status is null ? 0 : (int)status.Descriptor.FindFieldByName("replicas").Accessor.GetValue(status);
        var selector = spec?.Descriptor.FindFieldByName("selector").Accessor.GetValue(spec) as LabelSelector;
        var statusNode = new JsonObject { ["replicas"] = current };
        if (selector is not null && PodTemplateColumns.Selector(selector) is var text && text != "<none>")
        {
            statusNode["selector"] = text;
        }

        var metadata = new JsonObject { ["name"] = meta.Name, ["namespace"] = meta.Namespace, ["uid"] = meta.Uid, ["resourceVersion"] = meta.ResourceVersion };
        if (meta.CreationTimestamp is not null)
        {
            metadata["creationTimestamp"] = meta.CreationTimestamp.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = desired },
            ["status"] = statusNode,
        };
    }

    private static (int Replicas, string ResourceVersion) Read(JsonObject scale, string name)
    {
        var metadata = scale["metadata"] as JsonObject;
        if (metadata?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String && n.GetValue<string>() is var named && named.Length > 0 && named != name)
        {
            throw RestException.BadRequest($"the name of the object ({named}) does not match the name on the URL ({name})");
        }

        var resourceVersion = metadata?["resourceVersion"] is JsonValue rv && rv.GetValueKind() == JsonValueKind.String ? rv.GetValue<string>() : "";
        var replicas = (scale["spec"] as JsonObject)?["replicas"];
        return replicas switch
        {
            null => (0, resourceVersion),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var r) => (r, resourceVersion),
            _ => throw RestException.BadRequest("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: wrong type: expected an integer"),
        };
    }
}
