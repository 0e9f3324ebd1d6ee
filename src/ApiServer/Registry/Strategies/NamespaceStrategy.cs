using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>
/// Namespaces as in kube-apiserver's namespace registry and NamespaceLifecycle admission: every namespace is
/// created with the "kubernetes" finalizer, so deleting it only turns it Terminating until the namespace
/// controller has emptied it and released that finalizer; the release removes the namespace. Objects are created
/// only in a namespace that exists and is not terminating, and the cluster's own namespaces are never deleted.
/// </summary>
public sealed class NamespaceStrategy(NamespaceCache namespaces) : ResourceStrategy(ResourceKinds.Namespace)
{
    public const string KubernetesFinalizer = "kubernetes";
    public const string Active = "Active";
    public const string Terminating = "Terminating";

    private static readonly string[] Immortal = ["default", "kube-system"];

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

    public override void CheckDelete(IMessage obj)
    {
        var name = ((Namespace)obj).Metadata.Name;
        if (Immortal.Contains(name))
        {
            throw ApiErrors.Forbidden($"namespaces \"{name}\" is forbidden: this namespace may not be deleted");
        }
    }

    public override bool HasSpecFinalizers(IMessage obj) => ((Namespace)obj).Spec?.Finalizers.Count > 0;

    public override void PrepareForDeletionMark(IMessage obj)
    {
        var ns = (Namespace)obj;
        ns.Status ??= new NamespaceStatus();
        ns.Status.Phase = Terminating;
    }

    /// <summary>Namespace writes of this api-server reach its cache at once, so creates never see an older state.</summary>
    public override void AfterStored(string name, long revision, IMessage? written) =>
        namespaces.Observe(Kind, name, revision, written);

    /// <summary>NamespaceLifecycle admission: a namespaced object may be created only in an existing, active namespace.</summary>
    /// <exception cref="Grpc.Core.RpcException">NotFound: no such namespace; PermissionDenied: it is terminating.</exception>
    public async Task RequireAcceptsCreatesAsync(string ns)
    {
        var meta = await namespaces.GetAsync(ns) ?? throw ApiErrors.NotFound(Kind, ns);
        if (meta.DeletionTimestamp is not null)
        {
            throw ApiErrors.Forbidden($"unable to create new content in namespace {ns} because it is being terminated");
        }
    }
}
