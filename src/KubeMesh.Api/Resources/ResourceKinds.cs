using Google.Protobuf.Reflection;
using KubeMesh.Api.Apps.V1;
using AppsV1 = KubeMesh.Api.Apps.V1;
using BatchV1 = KubeMesh.Api.Batch.V1;
using CoordinationV1 = KubeMesh.Api.Coordination.V1;
using CoreV1 = KubeMesh.Api.Core.V1;
using NetworkingV1 = KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;

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

    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod, Secret, Service,
        ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet, CronJob, Job, Lease, Ingress,
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

    private static ResourceKind AppsKind(string kind, string plural, MessageDescriptor d, MessageDescriptor list, MessageDescriptor watch, params string[] shortNames) =>
        new("apps", kind, plural, true, d, list, watch, AppsServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>(kind + "Service"), shortNames);
}
