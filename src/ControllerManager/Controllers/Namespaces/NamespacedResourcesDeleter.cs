using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Namespaces;

/// <summary>
/// Deletes everything in a namespace, kind by kind (pkg/controller/namespace/deletion): every namespaced kind the
/// api-server serves, Events included. Objects already being deleted are only counted; a failure on one kind does
/// not stop the others. Deletes are Background, so the garbage collector removes owners' children as usual.
/// </summary>
internal sealed class NamespacedResourcesDeleter(KubeMeshClient client, TimeProvider time)
{
    private static readonly IReadOnlyList<ResourceKind> Kinds = ResourceKinds.All.Where(k => k.Namespaced).ToArray();

    public async Task<NamespaceContent> DeleteAllContentAsync(string ns, CancellationToken cancellationToken)
    {
        var content = new NamespaceContent();
        foreach (var kind in Kinds)
        {
            try
            {
                await DeleteKindAsync(client.For(kind), ns, content, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                content.Failures.Add($"{kind.GroupResource}: {e.Status.Detail}");
            }
        }

        return content;
    }

    private async Task DeleteKindAsync(ResourceClient resources, string ns, NamespaceContent content, CancellationToken cancellationToken)
    {
        var kind = resources.Kind;
        var list = await resources.ListAsync(new ListRequest { Namespace = ns }, cancellationToken).ConfigureAwait(false);
        foreach (var obj in list.Items)
        {
            var meta = kind.Metadata(obj);
            if (meta.DeletionTimestamp is null)
            {
                try
                {
                    var request = new DeleteRequest
                    {
                        Namespace = ns,
                        Name = meta.Name,
                        PropagationPolicy = "Background",
                        Preconditions = new Preconditions { Uid = meta.Uid },
                    };
                    var marked = await resources.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
                    meta = kind.Metadata(marked);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    continue;
                }
            }

            // A delete that returns the object without a deletionTimestamp removed it outright.
            if (meta.DeletionTimestamp is null)
            {
                continue;
            }

            content.Count(kind.GroupResource, meta.Finalizers);
            var left = meta.DeletionTimestamp.ToDateTimeOffset() - time.GetUtcNow();
            if (left > content.Estimate)
            {
                content.Estimate = left;
            }
        }
    }
}
