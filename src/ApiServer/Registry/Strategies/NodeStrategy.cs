using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>A kubelet registers its node with capacity and addresses, so status is kept on create (as Kubernetes does).</summary>
public sealed class NodeStrategy() : ResourceStrategy(ResourceKinds.Node)
{
    public override void PrepareForCreate(IMessage obj)
    {
    }
}
