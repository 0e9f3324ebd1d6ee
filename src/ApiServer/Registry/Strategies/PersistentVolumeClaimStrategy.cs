using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

public sealed class PersistentVolumeClaimStrategy() : ResourceStrategy(ResourceKinds.PersistentVolumeClaim)
{
    public override void PrepareForCreate(IMessage obj) =>
        ((PersistentVolumeClaim)obj).Status = new PersistentVolumeClaimStatus { Phase = "Pending" };
}
