using Google.Protobuf;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>
/// Validates objects as kube-apiserver's strategies do, returning every problem with its field path. Run
/// <see cref="ObjectDefaulter.Apply"/> first: required enumerations such as restartPolicy are checked after
/// defaulting, as in Kubernetes. The namespace may be empty: the api-server takes it from the request.
/// </summary>
public static class ObjectValidator
{
    public static IReadOnlyList<FieldError> ValidateCreate(ResourceKind kind, IMessage obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        if (kind.Descriptor != obj.Descriptor)
        {
            throw new ArgumentException($"a {obj.Descriptor.Name} is not a {kind.Kind}", nameof(obj));
        }

        var errors = new ErrorList();
        ObjectMetaValidator.Validate(kind, kind.Metadata(obj), errors);
        switch (obj)
        {
            case Pod pod:
                PodSpecValidator.Validate("spec", pod.Spec, errors);
                break;
            case ReplicaSet replicaSet:
                WorkloadValidator.Validate(replicaSet, errors);
                break;
            case Deployment deployment:
                WorkloadValidator.Validate(deployment, errors);
                break;
            case DaemonSet daemonSet:
                WorkloadValidator.Validate(daemonSet, errors);
                break;
            case StatefulSet statefulSet:
                WorkloadValidator.Validate(statefulSet, errors);
                break;
            case Job job:
                JobValidator.Validate(job, errors);
                break;
            case CronJob cronJob:
                JobValidator.Validate(cronJob, errors);
                break;
            case Service service:
                ServiceValidator.Validate(service, errors);
                break;
            case Endpoints endpoints:
                ServiceValidator.Validate(endpoints, errors);
                break;
            case ConfigMap configMap:
                ConfigDataValidator.Validate(configMap, errors);
                break;
            case Secret secret:
                ConfigDataValidator.Validate(secret, errors);
                break;
            case Ingress ingress:
                IngressValidator.Validate(ingress, errors);
                break;
            case Node node:
                NodeValidator.Validate(node, errors);
                break;
            case PersistentVolumeClaim claim:
                PersistentVolumeClaimValidator.Validate(claim, errors);
                break;
            case Event evt:
                EventValidator.Validate(evt, errors);
                break;
            case Lease lease:
                LeaseValidator.Validate(lease, errors);
                break;
            case Certificate certificate:
                CertificateValidator.Validate(certificate, errors);
                break;
            case CertificateRequest request:
                CertificateRequestValidator.Validate(request, errors);
                break;
            case Issuer issuer:
                IssuerValidator.Validate(issuer.Spec, errors);
                break;
            case ClusterIssuer issuer:
                IssuerValidator.Validate(issuer.Spec, errors);
                break;
            case Order order:
                AcmeValidator.Validate(order, errors);
                break;
            case Challenge challenge:
                AcmeValidator.Validate(challenge, errors);
                break;
            case ControllerRevision revision:
                ControllerRevisionValidator.Validate(revision, errors);
                break;
            case Role role:
                RbacValidator.Validate(role.Rules, namespaced: true, errors);
                break;
            case ClusterRole role:
                RbacValidator.Validate(role.Rules, namespaced: false, errors);
                break;
            case RoleBinding binding:
                RbacValidator.Validate(binding.RoleRef, binding.Subjects, clusterBinding: false, errors);
                break;
            case ClusterRoleBinding binding:
                RbacValidator.Validate(binding.RoleRef, binding.Subjects, clusterBinding: true, errors);
                break;
        }

        return errors;
    }

    /// <summary>The new object must be valid on its own and may not change what is immutable once created.</summary>
    public static IReadOnlyList<FieldError> ValidateUpdate(ResourceKind kind, IMessage updated, IMessage old)
    {
        ArgumentNullException.ThrowIfNull(old);
        var errors = new ErrorList();
        errors.AddRange(ValidateCreate(kind, updated));
        UpdateValidator.Validate(kind, updated, old, errors);
        return errors;
    }
}
