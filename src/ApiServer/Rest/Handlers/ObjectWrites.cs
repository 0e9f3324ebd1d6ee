using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Registry.Deletion;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>create (POST), update (PUT, also of /status), delete and deletecollection, through the registry's one set of rules.</summary>
public sealed class ObjectWrites(ResourceRegistry registry, ResourceDeleter deleter, ObjectReads reads)
{
    public async Task CreateAsync(HttpContext context, ResourceRequest request)
    {
        var options = RequestOptions.From(context.Request);
        var decoded = RestObjects.Decode(request.Kind, await RequestBodies.ReadJsonAsync(context), options.FieldValidation);
        PlaceInNamespace(request, decoded.Object);
        AddWarnings(context, decoded);
        var created = await registry.CreateAsync(request.Kind, decoded.Object, options.DryRun);
        await RestResponses.WriteAsync(context, 201, RestObjects.Encode(created));
    }

    public async Task UpdateAsync(HttpContext context, ResourceRequest request, bool status)
    {
        var options = RequestOptions.From(context.Request);
        var decoded = RestObjects.Decode(request.Kind, await RequestBodies.ReadJsonAsync(context), options.FieldValidation);
        PlaceInNamespace(request, decoded.Object);
        var name = request.Kind.Metadata(decoded.Object).Name;
        if (name != request.Name)
        {
            throw RestException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({request.Name})");
        }

        AddWarnings(context, decoded);
        var updated = await WriteAsync(request, decoded.Object, status, options.DryRun);
        await RestResponses.WriteAsync(context, 200, RestObjects.Encode(updated));
    }

    /// <summary>An update or, for /status, a status update; a dry run of a status update writes nothing and answers the result.</summary>
    public async Task<IMessage> WriteAsync(ResourceRequest request, IMessage obj, bool status, bool dryRun)
    {
        if (!status)
        {
            return await registry.UpdateAsync(request.Kind, obj, dryRun);
        }

        if (!dryRun)
        {
            return await registry.UpdateStatusAsync(request.Kind, obj);
        }

        var current = await registry.GetAsync(request.Kind, request.Namespace, request.Name);
        request.Kind.SetStatus(current, request.Kind.Status(obj)?.Clone());
        return current;
    }

    public async Task DeleteAsync(HttpContext context, ResourceRequest request)
    {
        var (delete, dryRun) = await DeleteOptionsReader.ReadAsync(context, request.Namespace, request.Name);
        if (dryRun)
        {
            await RestResponses.WriteAsync(context, 200, RestObjects.Encode(await registry.GetAsync(request.Kind, request.Namespace, request.Name)));
            return;
        }

        var result = await deleter.DeleteAsync(request.Kind, delete);
        var meta = request.Kind.Metadata(result);
        if (meta.DeletionTimestamp is not null)
        {
            try
            {
                // Finalizers or a grace period keep it: the answer is the object as it now is.
                await RestResponses.WriteAsync(context, 200, RestObjects.Encode(await registry.GetAsync(request.Kind, request.Namespace, request.Name)));
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
            }
        }

        await RestResponses.WriteAsync(context, 200, StatusErrors.Success(new(meta.Name, request.Kind.Group, request.Kind.Plural), meta.Uid));
    }

    /// <summary>Deletes every object the selectors match, each as a delete would, and answers the list of them.</summary>
    public async Task DeleteCollectionAsync(HttpContext context, ResourceRequest request)
    {
        var (template, dryRun) = await DeleteOptionsReader.ReadAsync(context, request.Namespace, "");
        var (items, revision) = await reads.ListObjectsAsync(context, request);
        var deleted = new List<IMessage>();
        foreach (var item in items)
        {
            var meta = request.Kind.Metadata(item);
            if (dryRun)
            {
                deleted.Add(item);
                continue;
            }

            var delete = template.Clone();
            delete.Namespace = meta.Namespace;
            delete.Name = meta.Name;
            try
            {
                deleted.Add(await deleter.DeleteAsync(request.Kind, delete));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Gone since the list: nothing left to delete.
            }
        }

        await RestResponses.WriteAsync(context, 200, RestObjects.EncodeList(request.Kind, deleted, revision));
    }

    private static void PlaceInNamespace(ResourceRequest request, IMessage obj)
    {
        var meta = request.Kind.Metadata(obj);
        if (!request.Kind.Namespaced)
        {
            return;
        }

        if (meta.Namespace.Length > 0 && meta.Namespace != request.Namespace)
        {
            throw RestException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        meta.Namespace = request.Namespace;
    }

    private static void AddWarnings(HttpContext context, DecodedObject decoded)
    {
        foreach (var warning in decoded.Warnings)
        {
            RestResponses.AddWarning(context, warning);
        }
    }
}
