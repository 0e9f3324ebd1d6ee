using Google.Protobuf;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>The fields Kubernetes freezes after creation, per kind.</summary>
internal static class UpdateValidator
{
    public static void Validate(ResourceKind kind, IMessage updated, IMessage old, ErrorList errors)
    {
        var meta = kind.Metadata(updated);
        var oldMeta = kind.Metadata(old);
        Immutable("metadata.name", meta.Name, oldMeta.Name, errors);

        // Empty means "not sent": the api-server keeps the stored namespace, uid and creation time.
        if (meta.Namespace.Length > 0)
        {
            Immutable("metadata.namespace", meta.Namespace, oldMeta.Namespace, errors);
        }

        if (meta.Uid.Length > 0)
        {
            Immutable("metadata.uid", meta.Uid, oldMeta.Uid, errors);
        }

        switch ((updated, old))
        {
            case (ReplicaSet n, ReplicaSet o):
                Immutable("spec.selector", n.Spec?.Selector, o.Spec?.Selector, errors);
                break;
            case (Deployment n, Deployment o):
                Immutable("spec.selector", n.Spec?.Selector, o.Spec?.Selector, errors);
                break;
            case (DaemonSet n, DaemonSet o):
                Immutable("spec.selector", n.Spec?.Selector, o.Spec?.Selector, errors);
                break;
            case (StatefulSet n, StatefulSet o):
                StatefulSet(n, o, errors);
                break;
            case (ControllerRevision n, ControllerRevision o):
                ControllerRevisionValidator.ValidateUpdate(n, o, errors);
                break;
            case (Job n, Job o):
                Immutable("spec.selector", n.Spec?.Selector, o.Spec?.Selector, errors);
                Immutable("spec.template", n.Spec?.Template, o.Spec?.Template, errors);
                Immutable("spec.completionMode", n.Spec?.CompletionMode, o.Spec?.CompletionMode, errors);
                Immutable("spec.completions", n.Spec?.Completions, o.Spec?.Completions, errors);
                break;
            case (Service n, Service o):
                Service(n, o, errors);
                break;
            case (ConfigMap n, ConfigMap o) when o.HasImmutable && o.Immutable:
                Frozen(n.Immutable, !n.Data.Equals(o.Data) || !n.BinaryData.Equals(o.BinaryData), errors);
                break;
            case (Secret n, Secret o):
                Immutable("type", n.Type, o.Type, errors);
                if (o.HasImmutable && o.Immutable)
                {
                    Frozen(n.Immutable, !n.Data.Equals(o.Data), errors);
                }

                break;
            case (Pod n, Pod o):
                Pod(n, o, errors);
                break;
            case (PersistentVolumeClaim n, PersistentVolumeClaim o):
                PersistentVolumeClaim(n, o, errors);
                break;
            // cert-manager's webhook: a request, an order and a challenge stand for one exchange with an issuer.
            case (CertificateRequest n, CertificateRequest o) when !Equals(n.Spec, o.Spec):
                errors.Add(FieldError.Forbidden("spec", "cannot change spec after creation"));
                break;
            case (Order n, Order o) when !Equals(n.Spec, o.Spec):
                errors.Add(FieldError.Forbidden("spec", "order spec is immutable after creation"));
                break;
            case (Challenge n, Challenge o) when !Equals(n.Spec, o.Spec):
                errors.Add(FieldError.Forbidden("spec", "challenge spec is immutable after creation"));
                break;
            case (RoleBinding n, RoleBinding o):
                RbacValidator.ValidateUpdate(n.RoleRef, o.RoleRef, errors);
                break;
            case (ClusterRoleBinding n, ClusterRoleBinding o):
                RbacValidator.ValidateUpdate(n.RoleRef, o.RoleRef, errors);
                break;
            case (Node n, Node o):
                if (o.Spec?.PodCidr is { Length: > 0 } podCidr)
                {
                    Immutable("spec.podCIDR", n.Spec?.PodCidr, podCidr, errors);
                }

                break;
        }
    }

    private static void StatefulSet(StatefulSet updated, StatefulSet old, ErrorList errors)
    {
        // Only replicas, template, updateStrategy, minReadySeconds and the retention policy may change.
        var mutable = old.Spec?.Clone() ?? new StatefulSetSpec();
        var candidate = updated.Spec?.Clone() ?? new StatefulSetSpec();
        foreach (var spec in new[] { mutable, candidate })
        {
            spec.ClearReplicas();
            spec.Template = null;
            spec.UpdateStrategy = null;
            spec.MinReadySeconds = 0;
            spec.PersistentVolumeClaimRetentionPolicy = null;
            spec.ClearRevisionHistoryLimit();
        }

        if (!mutable.Equals(candidate))
        {
            errors.Add(FieldError.Forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        }
    }

    private static void Service(Service updated, Service old, ErrorList errors)
    {
        var oldIp = old.Spec?.ClusterIp ?? "";
        var newSpec = updated.Spec ?? new ServiceSpec();

        // Turning a Service into an ExternalName one releases its cluster IP; otherwise the IP stays for life.
        if (oldIp.Length > 0 && newSpec.Type != "ExternalName")
        {
            Immutable("spec.clusterIP", newSpec.ClusterIp, oldIp, errors);
        }
    }

    private static void Pod(Pod updated, Pod old, ErrorList errors)
    {
        // As in Kubernetes, only container images, activeDeadlineSeconds and added tolerations may change.
        // Binding writes spec.nodeName once, when it was still empty.
        var candidate = updated.Spec?.Clone() ?? new PodSpec();
        var baseline = old.Spec?.Clone() ?? new PodSpec();
        for (var i = 0; i < Math.Min(candidate.Containers.Count, baseline.Containers.Count); i++)
        {
            candidate.Containers[i].Image = baseline.Containers[i].Image;
        }

        for (var i = 0; i < Math.Min(candidate.InitContainers.Count, baseline.InitContainers.Count); i++)
        {
            candidate.InitContainers[i].Image = baseline.InitContainers[i].Image;
        }

        if (baseline.NodeName.Length == 0)
        {
            baseline.NodeName = candidate.NodeName;
        }

        if (candidate.HasActiveDeadlineSeconds)
        {
            baseline.ActiveDeadlineSeconds = candidate.ActiveDeadlineSeconds;
        }

        if (candidate.Tolerations.Take(baseline.Tolerations.Count).SequenceEqual(baseline.Tolerations))
        {
            candidate.Tolerations.Clear();
            baseline.Tolerations.Clear();
        }

        if (!candidate.Equals(baseline))
        {
            errors.Add(FieldError.Forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)"));
        }
    }

    private static void PersistentVolumeClaim(PersistentVolumeClaim updated, PersistentVolumeClaim old, ErrorList errors)
    {
        var candidate = updated.Spec?.Clone() ?? new PersistentVolumeClaimSpec();
        var baseline = old.Spec?.Clone() ?? new PersistentVolumeClaimSpec();
        candidate.Resources = null;
        baseline.Resources = null;
        if (baseline.VolumeName.Length == 0)
        {
            baseline.VolumeName = candidate.VolumeName;
        }

        if (!candidate.Equals(baseline))
        {
            errors.Add(FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests"));
        }
    }

    private static void Frozen(bool stillImmutable, bool dataChanged, ErrorList errors)
    {
        if (!stillImmutable)
        {
            errors.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
        }

        if (dataChanged)
        {
            errors.Add(FieldError.Forbidden("data", "field is immutable when `immutable` is set"));
        }
    }

    private static void Immutable<T>(string path, T updated, T old, ErrorList errors)
    {
        if (!Equals(updated, old))
        {
            errors.Add(FieldError.Immutable(path, updated is IMessage message ? message.ToString() : updated));
        }
    }
}
