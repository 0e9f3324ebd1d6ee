using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

public sealed class NamespaceStrategy() : ResourceStrategy(ResourceKinds.Namespace)
{
    public override void PrepareForCreate(IMessage obj) =>
        ((Namespace)obj).Status = new NamespaceStatus { Phase = "Active" };
}
