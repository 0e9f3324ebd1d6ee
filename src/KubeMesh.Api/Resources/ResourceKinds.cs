using Google.Protobuf.Reflection;
using KubeMesh.Api.Apps.V1;
using AcmeV1 = KubeMesh.Api.Acme.V1;
using AppsV1 = KubeMesh.Api.Apps.V1;
using BatchV1 = KubeMesh.Api.Batch.V1;
using CertManagerV1 = KubeMesh.Api.CertManager.V1;
using CoordinationV1 = KubeMesh.Api.Coordination.V1;
using CoreV1 = KubeMesh.Api.Core.V1;
using NetworkingV1 = KubeMesh.Api.Networking.V1;
using RbacV1 = KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Rbac.V1;

namespace KubeMesh.Api.Resources;

/// <summary>Every kind the api-server serves, in the order `api-resources` lists them.</summary>
public static class ResourceKinds
{
    public static readonly ResourceKind ConfigMap = CoreKind("ConfigMap", "configmaps", true, CoreV1.ConfigMap.Descriptor, ConfigMapList.Descriptor, ConfigMapWatchEvent.Descriptor, "cm");
    public static readonly ResourceKind Endpoints = CoreKind("Endpoints", "endpoints", true, CoreV1.Endpoints.Descriptor, EndpointsList.Descriptor, EndpointsWatchEvent.Descriptor, "ep");
    public static readonly ResourceKind Event = CoreKind("Event", "events", true, CoreV1.Event.Descriptor, EventList.Descriptor, EventWatchEvent.Descriptor, "ev");
    public static readonly ResourceKind Namespace = CoreKind("Namespace", "namespaces", false, CoreV1.Namespace.Descriptor, NamespaceList.Descriptor, NamespaceWatchEvent.Descriptor, "ns");
    public static readonly ResourceKind Node = CoreKind("Node", "nodes", false, CoreV1.Node.Descriptor, NodeList.Descriptor, NodeWatchEvent.Descriptor, "no");
    public static readonly ResourceKind PersistentVolumeClaim = CoreKind("PersistentVolumeClaim", "persistentvolumeclaims", true, CoreV1.PersistentVolumeClaim.Descriptor, PersistentVolumeClaimList.Descriptor, PersistentVolumeClaimWatchEvent.Descriptor, "pvc");
    public static readonly ResourceKind Pod = InAll(CoreKind("Pod", "pods", true, CoreV1.Pod.Descriptor, PodList.Descriptor, PodWatchEvent.Descriptor, "po"));
    public static readonly ResourceKind Secret = CoreKind("Secret", "secrets", true, CoreV1.Secret.Descriptor, SecretList.Descriptor, SecretWatchEvent.Descriptor);
    public static readonly ResourceKind ServiceAccount = CoreKind("ServiceAccount", "serviceaccounts", true, CoreV1.ServiceAccount.Descriptor, ServiceAccountList.Descriptor, ServiceAccountWatchEvent.Descriptor, "sa");
    public static readonly ResourceKind Service = InAll(CoreKind("Service", "services", true, CoreV1.Service.Descriptor, ServiceList.Descriptor, ServiceWatchEvent.Descriptor, "svc"));
    public static readonly ResourceKind DaemonSet = InAll(AppsKind("DaemonSet", "daemonsets", AppsV1.DaemonSet.Descriptor, DaemonSetList.Descriptor, DaemonSetWatchEvent.Descriptor, "ds"));
    public static readonly ResourceKind Deployment = InAll(AppsKind("Deployment", "deployments", AppsV1.Deployment.Descriptor, DeploymentList.Descriptor, DeploymentWatchEvent.Descriptor, "deploy"));
    public static readonly ResourceKind ReplicaSet = InAll(AppsKind("ReplicaSet", "replicasets", AppsV1.ReplicaSet.Descriptor, ReplicaSetList.Descriptor, ReplicaSetWatchEvent.Descriptor, "rs"));
    public static readonly ResourceKind StatefulSet = InAll(AppsKind("StatefulSet", "statefulsets", AppsV1.StatefulSet.Descriptor, StatefulSetList.Descriptor, StatefulSetWatchEvent.Descriptor, "sts"));
    public static readonly ResourceKind CronJob = InAll(new("batch", "CronJob", "cronjobs", true, BatchV1.CronJob.Descriptor, CronJobList.Descriptor, CronJobWatchEvent.Descriptor, BatchServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>("CronJobService"), "cj"));
    public static readonly ResourceKind Job = InAll(new("batch", "Job", "jobs", true, BatchV1.Job.Descriptor, JobList.Descriptor, JobWatchEvent.Descriptor, BatchServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>("JobService")));
    public static readonly ResourceKind ControllerRevision = AppsKind("ControllerRevision", "controllerrevisions", AppsV1.ControllerRevision.Descriptor, ControllerRevisionList.Descriptor, ControllerRevisionWatchEvent.Descriptor);
    public static readonly ResourceKind Lease = new("coordination.k8s.io", "Lease", "leases", true, CoordinationV1.Lease.Descriptor, LeaseList.Descriptor, LeaseWatchEvent.Descriptor, CoordinationServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>("LeaseService"));
    public static readonly ResourceKind Ingress = new("networking.k8s.io", "Ingress", "ingresses", true, NetworkingV1.Ingress.Descriptor, IngressList.Descriptor, IngressWatchEvent.Descriptor, NetworkingServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>("IngressService"), "ing");

    public static readonly ResourceKind Role = RbacKind("Role", "roles", true, RbacV1.Role.Descriptor, RoleList.Descriptor, RoleWatchEvent.Descriptor);
    public static readonly ResourceKind ClusterRole = RbacKind("ClusterRole", "clusterroles", false, RbacV1.ClusterRole.Descriptor, ClusterRoleList.Descriptor, ClusterRoleWatchEvent.Descriptor);
    public static readonly ResourceKind RoleBinding = RbacKind("RoleBinding", "rolebindings", true, RbacV1.RoleBinding.Descriptor, RoleBindingList.Descriptor, RoleBindingWatchEvent.Descriptor);
    public static readonly ResourceKind ClusterRoleBinding = RbacKind("ClusterRoleBinding", "clusterrolebindings", false, RbacV1.ClusterRoleBinding.Descriptor, ClusterRoleBindingList.Descriptor, ClusterRoleBindingWatchEvent.Descriptor);

    // cert-manager's kinds, with its CRDs' names and short names.
    public static readonly ResourceKind Issuer = CertManagerKind("Issuer", "issuers", true, CertManagerV1.Issuer.Descriptor, IssuerList.Descriptor, IssuerWatchEvent.Descriptor, "iss");
    public static readonly ResourceKind ClusterIssuer = CertManagerKind("ClusterIssuer", "clusterissuers", false, CertManagerV1.ClusterIssuer.Descriptor, ClusterIssuerList.Descriptor, ClusterIssuerWatchEvent.Descriptor, "ciss");
    public static readonly ResourceKind Certificate = CertManagerKind("Certificate", "certificates", true, CertManagerV1.Certificate.Descriptor, CertificateList.Descriptor, CertificateWatchEvent.Descriptor, "cert", "certs");
    public static readonly ResourceKind CertificateRequest = CertManagerKind("CertificateRequest", "certificaterequests", true, CertManagerV1.CertificateRequest.Descriptor, CertificateRequestList.Descriptor, CertificateRequestWatchEvent.Descriptor, "cr", "crs");
    public static readonly ResourceKind Order = AcmeKind("Order", "orders", AcmeV1.Order.Descriptor, OrderList.Descriptor, OrderWatchEvent.Descriptor);
    public static readonly ResourceKind Challenge = AcmeKind("Challenge", "challenges", AcmeV1.Challenge.Descriptor, ChallengeList.Descriptor, ChallengeWatchEvent.Descriptor);

    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount,
        ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet, CronJob, Job, Lease, Ingress,
        ClusterRole, ClusterRoleBinding, Role, RoleBinding,
        Challenge, Order, Certificate, CertificateRequest, ClusterIssuer, Issuer,
    ];

    /// <summary>Finds a kind by plural, singular, kind name or short name, as kubectl does ("po", "pods", "Pod").</summary>
    public static ResourceKind? Find(string name) => All.FirstOrDefault(k => k.Matches(name));

    /// <summary>Finds the kind a manifest names with apiVersion and kind.</summary>
    public static ResourceKind? Find(string apiVersion, string kind) =>
        All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);

    public static ResourceKind For(MessageDescriptor descriptor) =>
        All.First(k => k.Descriptor == descriptor);

    /// <summary>The kinds `kubectl get all` lists, as Kubernetes puts them in the category "all".</summary>
    private static ResourceKind InAll(ResourceKind kind) =>
        new(kind.Group, kind.Kind, kind.Plural, kind.Namespaced, kind.Descriptor, kind.ListDescriptor, kind.WatchEventDescriptor, kind.Service, [.. kind.ShortNames])
        {
            Categories = ["all"],
        };

    private static ResourceKind CoreKind(string kind, string plural, bool namespaced, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch, params string[] shortNames) =>
        new("", kind, plural, namespaced, d, list, watch, CoreServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"), shortNames);

    private static ResourceKind RbacKind(string kind, string plural, bool namespaced, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch) =>
        new("rbac.authorization.k8s.io", kind, plural, namespaced, d, list, watch, RbacServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"));

    private static ResourceKind CertManagerKind(string kind, string plural, bool namespaced, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch, params string[] shortNames) =>
        new("cert-manager.io", kind, plural, namespaced, d, list, watch, CertmanagerServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"), shortNames);

    private static ResourceKind AcmeKind(string kind, string plural, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch) =>
        new("acme.cert-manager.io", kind, plural, true, d, list, watch, AcmeServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"));

    private static ResourceKind AppsKind(string kind, string plural, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch, params string[] shortNames) =>
        new("apps", kind, plural, true, d, list, watch, AppsServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"), shortNames);
}
