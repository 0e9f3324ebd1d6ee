using Grpc.Core;
using Status = KubeMesh.Scheduler.Framework.Status;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.DefaultBinder;

/// <summary>Binds through the api-server's pods/binding, which sets spec.nodeName and the PodScheduled condition.</summary>
public sealed class DefaultBinder(KubeMeshClient client) : IBindPlugin
{
    public string Name => nameof(DefaultBinder);

    public async Task<Status> BindAsync(CycleState state, Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new Binding
        {
            Metadata = new() { Name = pod.Metadata.Name, Namespace = pod.Metadata.Namespace, Uid = pod.Metadata.Uid },
            Target = new ObjectReference { Kind = "Node", Name = nodeName },
        };
        try
        {
            await client.Pods.BindAsync(binding, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Status.Success;
        }
        catch (RpcException e)
        {
            return Status.Error($"binding rejected: {e.Status.Detail}");
        }
    }
}
