using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>controller.GetPodFromTemplate: a pod for a controller, named by the api-server from "&lt;owner&gt;-".</summary>
internal static class PodTemplates
{
    public static Pod NewPod(PodTemplateSpec template, ObjectMeta owner, ResourceKind ownerKind, string? generateName = null)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta
            {
                Namespace = owner.Namespace,
                GenerateName = generateName ?? owner.Name + "-",
            },
            Spec = template.Spec?.Clone() ?? new PodSpec(),
        };
        if (template.Metadata is { } meta)
        {
            pod.Metadata.Labels.Add(meta.Labels);
            pod.Metadata.Annotations.Add(meta.Annotations);
            pod.Metadata.Finalizers.Add(meta.Finalizers);
        }

        pod.Metadata.OwnerReferences.Add(OwnerReferences.NewControllerRef(owner, ownerKind));
        return pod;
    }
}
