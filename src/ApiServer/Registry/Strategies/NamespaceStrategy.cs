using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>
/// Namespaces as in kube-apiserver's namespace registry: every namespace is created with the "kubernetes"
/// finalizer, so deleting it only turns it Terminating until the namespace controller has emptied it and
/// released that finalizer; the release removes the namespace.
/// </summary>
public sealed class NamespaceStrategy() : ResourceStrategy(ResourceKinds.Namespace)
{
    public const string KubernetesFinalizer = "kubernetes";
    public const string Active = "Active";
    public const string Terminating = "Terminating";

    public override void PrepareForCreate(IMessage obj)
    {
        var ns = (Namespace)obj;
        ns.Status = new NamespaceStatus { Phase = Active };
        ns.Spec ??= new NamespaceSpec();
        if (!ns.Spec.Finalizers.Contains(KubernetesFinalizer))
        {
            ns.Spec.Finalizers.Add(KubernetesFinalizer);
        }
    }

    /// <summary>
    /// spec.finalizers only shrinks, and only once the namespace is terminating (Kubernetes' namespaces/finalize):
    /// an update of a live namespace, or one that leaves spec out (an apply of a bare manifest), keeps them.
    /// </summary>
    public override void PrepareForUpdate(IMessage updated, IMessage old)
    {
        base.PrepareForUpdate(updated, old);
        var ns = (Namespace)updated;
        var before = (Namespace)old;
        var kept = before.Spec?.Finalizers.ToList() ?? [];
        if (before.Metadata.DeletionTimestamp is not null && ns.Spec is not null)
        {
            kept = kept.Where(ns.Spec.Finalizers.Contains).ToList();
        }

        ns.Spec = new NamespaceSpec { Finalizers = { kept } };
    }

    public override bool HasSpecFinalizers(IMessage obj) => ((Namespace)obj).Spec?.Finalizers.Count > 0;

    public override void PrepareForDeletionMark(IMessage obj)
    {
        var ns = (Namespace)obj;
        ns.Status ??= new NamespaceStatus();
        ns.Status.Phase = Terminating;
    }
}
