using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Rest.Patch;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// PATCH of an object or its /status: the stored object in Kubernetes JSON, the patch applied (strategic merge,
/// JSON merge or JSON patch, by Content-Type), the result decoded and written as an update with the revision read,
/// retried on a conflict unless the patch itself named a resourceVersion (then it is the client's precondition).
/// </summary>
public sealed class PatchHandler(ResourceRegistry registry, ObjectWrites writes)
{
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string JsonPatchType = "application/json-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";
    private const int MaxConflictRetries = 5;

    public async Task PatchAsync(HttpContext context, ResourceRequest request, bool status)
    {
        var options = RequestOptions.From(context.Request);
        var type = PatchType(context.Request);
        var patch = await RequestBodies.ReadJsonAsync(context, type);
        for (var attempt = 0; ; attempt++)
        {
            var current = await registry.GetAsync(request.Kind, request.Namespace, request.Name);
            var currentJson = RestObjects.Encode(current);
            var patched = Apply(type, currentJson, patch, PatchSchema.For(request.Kind.Descriptor));
            var decoded = RestObjects.Decode(request.Kind, patched, options.FieldValidation);
            var (obj, preconditioned) = KeepIdentity(request, decoded.Object, current);
            try
            {
                var written = await writes.WriteAsync(request, obj, status, options.DryRun);
                foreach (var warning in decoded.Warnings)
                {
                    RestResponses.AddWarning(context, warning);
                }

                await RestResponses.WriteAsync(context, 200, RestObjects.Encode(written));
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && !preconditioned && attempt < MaxConflictRetries)
            {
                // Someone wrote in between: apply the same patch to the newer object.
            }
        }
    }

    /// <summary>Applies a patch of the given type to an object's JSON.</summary>
    /// <exception cref="PatchException">The patch does not apply.</exception>
    public static JsonObject Apply(string type, JsonObject target, JsonNode patch, PatchSchema schema)
    {
        var result = type switch
        {
            StrategicMergePatchType => patch is JsonObject map
                ? StrategicMergePatch.Apply(target, map, schema)
                : throw new PatchException("a strategic merge patch must be a JSON object"),
            MergePatchType => JsonMergePatch.Apply(target, patch),
            _ => JsonPatch.Apply(target, patch),
        };
        return result as JsonObject ?? throw new PatchException("the patched document is not a JSON object");
    }

    public static string PatchType(HttpRequest request) => RequestBodies.MediaType(request) switch
    {
        StrategicMergePatchType => StrategicMergePatchType,
        MergePatchType => MergePatchType,
        JsonPatchType => JsonPatchType,
        ApplyPatchType => throw RestException.UnsupportedMediaType(ApplyPatchType + ": server-side apply is not served; kubectl apply without --server-side works"),
        var other => throw RestException.UnsupportedMediaType(other),
    };

    /// <summary>
    /// A patch may not move the object: name and namespace stay. A resourceVersion the patch leaves as stored is
    /// the one read (conditional on it, retried on conflict); one the patch changes is the client's precondition.
    /// </summary>
    private static (IMessage Object, bool Preconditioned) KeepIdentity(ResourceRequest request, IMessage patched, IMessage current)
    {
        var meta = request.Kind.Metadata(patched);
        var stored = request.Kind.Metadata(current);
        if (meta.Name != stored.Name || (request.Kind.Namespaced && meta.Namespace.Length > 0 && meta.Namespace != stored.Namespace))
        {
            throw RestException.BadRequest("metadata.name and metadata.namespace cannot be changed by a patch");
        }

        meta.Namespace = stored.Namespace;
        var preconditioned = meta.ResourceVersion.Length > 0 && meta.ResourceVersion != stored.ResourceVersion;
        if (meta.ResourceVersion.Length == 0)
        {
            meta.ResourceVersion = stored.ResourceVersion;
        }

        return (patched, preconditioned);
    }
}
