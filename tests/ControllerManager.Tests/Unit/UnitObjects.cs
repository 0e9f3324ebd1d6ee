using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>Pods in the states controllers care about, owned by what a test says.</summary>
public static class UnitObjects
{
    public static Pod OwnedPod(IMessage owner, string name, string app, string phase = "Pending", bool ready = false, DateTimeOffset? readySince = null)
    {
        var kind = ResourceKinds.For(owner.Descriptor);
        var meta = kind.Metadata(owner);
        var pod = TestObjects.Pod(meta.Namespace, name, app);
        pod.Metadata.OwnerReferences.Add(OwnerReferences.NewControllerRef(meta, kind));
        return WithPhase(pod, phase, ready, readySince);
    }

    public static Pod WithPhase(Pod pod, string phase, bool ready = false, DateTimeOffset? readySince = null)
    {
        pod.Status = new PodStatus { Phase = phase };
        if (ready)
        {
            pod.Status.Conditions.Add(new Condition
            {
                Type = "Ready",
                Status = "True",
                LastTransitionTime = Timestamp.FromDateTimeOffset(readySince ?? DateTimeOffset.UnixEpoch),
            });
        }

        return pod;
    }
}
