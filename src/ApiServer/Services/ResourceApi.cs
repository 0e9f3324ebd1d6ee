using System.Collections;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Registry.Deletion;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// The verbs every kind shares (Create, Get, List, Update, UpdateStatus, Delete, Watch), served for each
/// kind's gRPC service by <see cref="ResourceApiMethodProvider"/> without per-kind code.
/// </summary>
public sealed class ResourceApi(ResourceRegistry registry, ResourceDeleter deleter, WatchStreamer watches, PodSubresourceApi pods, ServiceAccountTokenApi tokens)
{
    public PodSubresourceApi Pods => pods;

    public ServiceAccountTokenApi Tokens => tokens;

    public Task<IMessage> CreateAsync(ResourceKind kind, IMessage obj) => registry.CreateAsync(kind, obj);

    public Task<IMessage> GetAsync(ResourceKind kind, GetRequest request)
    {
        RequireName(request.Name);
        return registry.GetAsync(kind, request.Namespace, request.Name);
    }

    public async Task<IMessage> ListAsync(ResourceKind kind, ListRequest request)
    {
        var page = await registry.ListPageAsync(kind, ObjectFilter.From(kind, request), request);
        var list = kind.ListDescriptor.Parser.ParseFrom(ByteString.Empty);
        var meta = new ListMeta { ResourceVersion = page.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), Continue = page.Continue };
        if (page.RemainingItemCount is { } remaining)
        {
            meta.RemainingItemCount = remaining;
        }

        kind.ListDescriptor.FindFieldByName("metadata").Accessor.SetValue(list, meta);
        var target = (IList)kind.ListDescriptor.FindFieldByName("items").Accessor.GetValue(list);
        foreach (var item in page.Items)
        {
            target.Add(item);
        }

        return list;
    }

    public Task<IMessage> UpdateAsync(ResourceKind kind, IMessage obj)
    {
        RequireName(kind.Metadata(obj).Name);
        return registry.UpdateAsync(kind, obj);
    }

    public Task<IMessage> UpdateStatusAsync(ResourceKind kind, IMessage obj)
    {
        RequireName(kind.Metadata(obj).Name);
        return registry.UpdateStatusAsync(kind, obj);
    }

    public Task<IMessage> DeleteAsync(ResourceKind kind, DeleteRequest request)
    {
        RequireName(request.Name);
        return deleter.DeleteAsync(kind, request);
    }

    public Task WatchAsync(ResourceKind kind, WatchRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context) =>
        watches.StreamAsync(kind, request, m => stream.WriteAsync(m, context.CancellationToken), context.CancellationToken);

    private static void RequireName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw ApiErrors.BadRequest("metadata.name: Required value: name is required");
        }
    }
}
