using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.ApiServer.Authentication;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// The ClusterRoles and ClusterRoleBindings a cluster starts with, as kube-apiserver's bootstrap policy: the
/// user-facing roles (cluster-admin, admin, edit, view), the components' own roles, and the bindings that give
/// system:masters everything and every authenticated user discovery and self-review. Each carries
/// kubernetes.io/bootstrapping=rbac-defaults and is restored at start unless annotated autoupdate=false.
/// </summary>
public static class BootstrapPolicy
{
    public const string AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
    public const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    public const string Group = "rbac.authorization.k8s.io";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] ReadWrite = [.. Read, .. Write];
    private static readonly string[] EventWrite = ["create", "patch", "update"];
    private static readonly string[] CertManagerGroups = ["cert-manager.io", "acme.cert-manager.io"];

    // The kinds each user-facing role reaches, as Kubernetes' admin, edit and view roles list them.
    private static readonly PolicyRule[] ViewRules =
    [
        Rule(Read, [""], "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "pods/log", "pods/status", "services", "services/status", "events", "namespaces", "namespaces/status"),
        Rule(Read, [""], "serviceaccounts"),
        Rule(Read, ["apps"], "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"),
        Rule(Read, ["batch"], "cronjobs", "cronjobs/status", "jobs", "jobs/status"),
        Rule(Read, ["networking.k8s.io"], "ingresses", "ingresses/status"),
        Rule(Read, ["coordination.k8s.io"], "leases"),
        Rule(Read, CertManagerGroups, "certificates", "certificaterequests", "issuers", "challenges", "orders"),
    ];

    private static readonly PolicyRule[] EditRules =
    [
        Rule(ReadWrite, [""], "configmaps", "endpoints", "persistentvolumeclaims", "pods", "secrets", "services", "services/proxy"),
        Rule(["create"], [""], "pods/exec", "pods/eviction"),
        Rule(Read, [""], "secrets"),
        Rule(["impersonate"], [""], "serviceaccounts"),
        Rule(ReadWrite, [""], "serviceaccounts"),
        Rule(["create"], [""], "serviceaccounts/token"),
        Rule(ReadWrite, ["apps"], "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"),
        Rule(ReadWrite, ["batch"], "cronjobs", "jobs"),
        Rule(ReadWrite, ["networking.k8s.io"], "ingresses"),
        Rule(ReadWrite, ["coordination.k8s.io"], "leases"),
        Rule(ReadWrite, CertManagerGroups, "certificates", "certificaterequests", "issuers", "challenges", "orders"),
        .. ViewRules,
    ];

    private static readonly PolicyRule[] AdminRules =
    [
        .. EditRules,
        Rule(ReadWrite, [Group], "rolebindings", "roles"),
        Rule(["create"], ["authorization.k8s.io"], "localsubjectaccessreviews"),
    ];

    /// <summary>What a kubelet may do (system:node); the Node authorizer and NodeRestriction narrow it to its own node.</summary>
    public static readonly PolicyRule[] NodeRules =
    [
        Rule(["create", "get", "list", "watch", "update", "patch", "delete"], [""], "nodes"),
        Rule(["patch", "update"], [""], "nodes/status"),
        Rule(["get", "list", "watch", "create", "delete"], [""], "pods"),
        Rule(["patch", "update"], [""], "pods/status"),
        Rule(["create"], [""], "pods/eviction"),
        Rule(EventWrite, ["", "events.k8s.io"], "events"),
        Rule(Read, [""], "services", "endpoints"),
        Rule(["get"], [""], "secrets", "configmaps", "persistentvolumeclaims"),
        Rule(["patch", "update"], [""], "persistentvolumeclaims/status"),
        Rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], "leases"),
        Rule(["create"], ["authentication.k8s.io"], "tokenreviews"),
        Rule(["create"], ["authorization.k8s.io"], "localsubjectaccessreviews", "subjectaccessreviews"),
    ];

    private static readonly string[] DiscoveryUrls = ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/"];
    private static readonly string[] HealthUrls = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public static IReadOnlyList<ClusterRole> ClusterRoles { get; } =
    [
        Role("cluster-admin", Rule(["*"], ["*"], "*"), Url(["*"], "*")),
        Role("admin", AdminRules),
        Role("edit", EditRules),
        Role("view", ViewRules),
        Role("system:basic-user",
            Rule(["create"], ["authorization.k8s.io"], "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
            Rule(["create"], ["authentication.k8s.io"], "selfsubjectreviews")),
        Role("system:discovery", Url(["get"], DiscoveryUrls)),
        Role("system:public-info-viewer", Url(["get"], HealthUrls)),
        // Prometheus' scrape identity: a member of system:monitoring reads /metrics and the health checks.
        Role("system:monitoring", Url(["get"], "/metrics", "/metrics/slis", "/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*")),
        Role("system:node", NodeRules),
        Role("system:node-proxier",
            Rule(["list", "watch"], [""], "endpoints", "services"),
            Rule(Read, [""], "nodes"),
            Rule(EventWrite, ["", "events.k8s.io"], "events")),
        // The proxy is also the cluster's load-balancer implementation, as MetalLB's controller is on bare metal, with
        // that controller's rights: it writes LoadBalancer Services' addresses into their status.
        Role("system:kubemesh:load-balancer-controller",
            Rule(["get", "list", "watch"], [""], "services"),
            Rule(["update", "patch"], [""], "services/status"),
            Rule(EventWrite, ["", "events.k8s.io"], "events")),
        // The cluster DNS also answers for the hosts of Ingresses (their load-balancer addresses), so it reads them.
        Role("system:kube-dns",
            Rule(["list", "watch"], [""], "endpoints", "services", "pods", "namespaces"),
            Rule(["list", "watch"], ["networking.k8s.io"], "ingresses")),
        Role("system:kube-scheduler",
            Rule(EventWrite, ["", "events.k8s.io"], "events"),
            Rule(["create"], [""], "bindings", "pods/binding"),
            Rule(["get", "list", "watch", "delete"], [""], "pods"),
            Rule(["patch", "update"], [""], "pods/status"),
            Rule(Read, [""], "nodes", "namespaces", "services", "persistentvolumeclaims", "persistentvolumes", "replicationcontrollers"),
            Rule(Read, ["apps"], "replicasets", "statefulsets"),
            Rule(["create", "get", "list", "watch", "update", "patch"], ["coordination.k8s.io"], "leases"),
            Rule(["create"], ["authentication.k8s.io"], "tokenreviews"),
            Rule(["create"], ["authorization.k8s.io"], "subjectaccessreviews")),

        // kube-controller-manager runs every controller under this one identity here (as with
        // --use-service-account-credentials=false), so its role is the union of the controllers' roles: the workload,
        // service, node, namespace, garbage-collection and certificate controllers write every kind; RBAC's they
        // read, delete and release, but cannot grant through.
        Role("system:kube-controller-manager",
            Rule(ReadWrite, ["", "apps", "batch", "networking.k8s.io", "coordination.k8s.io", "cert-manager.io", "acme.cert-manager.io"], "*"),
            // The namespace deleter and the garbage collector remove and release RBAC objects too; updates that
            // change what is granted still pass the escalation check.
            Rule([.. Read, "delete", "deletecollection", "patch", "update"], [Group], "*"),
            Rule(["create"], ["authentication.k8s.io"], "tokenreviews"),
            Rule(["create"], ["authorization.k8s.io"], "subjectaccessreviews")),

        // KubeMesh's own add-ons, each with the least its controller needs.
        // Each add-on creates its own namespace (ingress-nginx, cert-manager) at start, where an install manifest
        // would; create cannot be narrowed by name, so it holds create on namespaces, and nothing more on them.
        Role("system:kubemesh:ingress-controller",
            Rule(Read, [""], "services", "endpoints", "secrets", "configmaps", "namespaces", "pods"),
            Rule(["create"], [""], "namespaces"),
            Rule(Read, ["networking.k8s.io"], "ingresses"),
            Rule(["patch", "update"], ["networking.k8s.io"], "ingresses/status"),
            Rule(EventWrite, ["", "events.k8s.io"], "events"),
            Rule(["create", "get", "list", "watch", "update", "patch"], ["coordination.k8s.io"], "leases")),
        Role("system:kubemesh:certificate-controller",
            Rule(ReadWrite, CertManagerGroups, "*"),
            Rule(ReadWrite, [""], "secrets", "pods", "services"),
            Rule(ReadWrite, ["networking.k8s.io"], "ingresses"),
            Rule(Read, [""], "namespaces", "configmaps"),
            Rule(["create"], [""], "namespaces"),
            Rule(EventWrite, ["", "events.k8s.io"], "events"),
            Rule(["create", "get", "list", "watch", "update", "patch"], ["coordination.k8s.io"], "leases")),
    ];

    public static IReadOnlyList<ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding("cluster-admin", "cluster-admin", GroupSubject(UserInfo.SystemMasters)),
        Binding("system:basic-user", "system:basic-user", GroupSubject(UserInfo.AllAuthenticated)),

        // Kubernetes grants discovery to system:authenticated only; here anonymous requests reach it too, so that
        // an unauthenticated client learns what the server serves, and nothing else.
        Binding("system:discovery", "system:discovery", GroupSubject(UserInfo.AllAuthenticated), GroupSubject(UserInfo.AllUnauthenticated)),
        Binding("system:public-info-viewer", "system:public-info-viewer", GroupSubject(UserInfo.AllAuthenticated), GroupSubject(UserInfo.AllUnauthenticated)),
        Binding("system:monitoring", "system:monitoring", GroupSubject("system:monitoring")),
        Binding("system:kube-scheduler", "system:kube-scheduler", UserSubject("system:kube-scheduler")),
        Binding("system:kube-controller-manager", "system:kube-controller-manager", UserSubject("system:kube-controller-manager")),
        Binding("system:node-proxier", "system:node-proxier", UserSubject("system:kube-proxy")),
        Binding("system:kubemesh:load-balancer-controller", "system:kubemesh:load-balancer-controller", UserSubject("system:kube-proxy")),
        Binding("system:kube-dns", "system:kube-dns", UserSubject("system:kube-dns"), new Subject { Kind = "ServiceAccount", Name = "kube-dns", Namespace = "kube-system" }),
        Binding("system:kubemesh:ingress-controller", "system:kubemesh:ingress-controller", UserSubject("system:kubemesh:ingress-controller")),
        Binding("system:kubemesh:certificate-controller", "system:kubemesh:certificate-controller", UserSubject("system:kubemesh:certificate-controller")),
    ];

    private static PolicyRule Rule(string[] verbs, string[] groups, params string[] resources) =>
        new() { Verbs = { verbs }, ApiGroups = { groups }, Resources = { resources } };

    private static PolicyRule Url(string[] verbs, params string[] urls) =>
        new() { Verbs = { verbs }, NonResourceUrls = { urls } };

    private static ClusterRole Role(string name, params PolicyRule[] rules) =>
        new() { ApiVersion = $"{Group}/v1", Kind = "ClusterRole", Metadata = Meta(name), Rules = { rules } };

    private static ClusterRoleBinding Binding(string name, string role, params Subject[] subjects) =>
        new()
        {
            ApiVersion = $"{Group}/v1",
            Kind = "ClusterRoleBinding",
            Metadata = Meta(name),
            RoleRef = new RoleRef { ApiGroup = Group, Kind = "ClusterRole", Name = role },
            Subjects = { subjects },
        };

    private static Subject UserSubject(string name) => new() { Kind = "User", ApiGroup = Group, Name = name };

    private static Subject GroupSubject(string name) => new() { Kind = "Group", ApiGroup = Group, Name = name };

    private static ObjectMeta Meta(string name) =>
        new()
        {
            Name = name,
            Labels = { [BootstrappingLabel] = "rbac-defaults" },
            Annotations = { [AutoUpdateAnnotation] = "true" },
        };
}
