using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Rbac.V1;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// Requests that must be refused, each sent over gRPC and over REST: the code must be UNAUTHENTICATED / 401 or
/// PERMISSION_DENIED / 403 with a metav1.Status, and the store's revision must not move (nothing was written).
/// </summary>
[Collection(AuthCollection.Name)]
public sealed class RefusalTests(AuthFixture fixture)
{
    private const string Rbac = "/apis/rbac.authorization.k8s.io/v1";
    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Put = HttpMethod.Put;
    private static readonly HttpMethod Delete = HttpMethod.Delete;

    public static TheoryData<string> Names => [.. Cases.Keys];

    private static readonly Dictionary<string, Refusal> Cases = new Refusal[]
    {
        // No credential: system:anonymous reaches nothing but health and discovery.
        new("anonymous lists pods", null, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(null, Get, "/api/v1/namespaces/default/pods")),
        new("anonymous creates a configmap", null, StatusCode.PermissionDenied,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).CreateAsync(NewConfigMap("anon-cm")).ResponseAsync,
            f => f.Rest(null, Post, "/api/v1/namespaces/default/configmaps", ConfigMapJson("anon-cm"))),
        new("anonymous reads a secret", null, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "s1" }).ResponseAsync,
            f => f.Rest(null, Get, "/api/v1/namespaces/default/secrets/s1")),
        new("anonymous watches pods", null, StatusCode.PermissionDenied,
            (_, ch) => FirstAsync(new PodService.PodServiceClient(ch).Watch(new WatchRequest { Namespace = "default" }).ResponseStream),
            f => f.Rest(null, Get, "/api/v1/namespaces/default/pods?watch=true")),
        new("anonymous deletes a node", null, StatusCode.PermissionDenied,
            (_, ch) => new NodeService.NodeServiceClient(ch).DeleteAsync(new DeleteRequest { Name = "node-2" }).ResponseAsync,
            f => f.Rest(null, Delete, "/api/v1/nodes/node-2")),

        // A token the token file does not hold is refused outright, never taken as anonymous.
        new("unknown token lists pods", AuthFixture.Unknown, StatusCode.Unauthenticated,
            (_, ch) => new PodService.PodServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Unknown, Get, "/api/v1/namespaces/default/pods")),
        new("unknown token creates a configmap", AuthFixture.Unknown, StatusCode.Unauthenticated,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).CreateAsync(NewConfigMap("unknown-cm")).ResponseAsync,
            f => f.Rest(AuthFixture.Unknown, Post, "/api/v1/namespaces/default/configmaps", ConfigMapJson("unknown-cm"))),
        new("unknown token asks for health", AuthFixture.Unknown, StatusCode.Unauthenticated,
            (_, ch) => new Grpc.Health.V1.Health.HealthClient(ch).CheckAsync(new Grpc.Health.V1.HealthCheckRequest()).ResponseAsync,
            f => f.Rest(AuthFixture.Unknown, Get, "/healthz")),

        // A user without any binding.
        new("alice lists pods", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Get, "/api/v1/namespaces/default/pods")),
        new("alice reads the namespace default", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new NamespaceService.NamespaceServiceClient(ch).GetAsync(new GetRequest { Name = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Get, "/api/v1/namespaces/default")),
        new("alice creates a pod", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).CreateAsync(NewPod("alice-pod", "")).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Post, "/api/v1/namespaces/default/pods", PodJson("alice-pod"))),
        new("alice deletes a configmap", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).DeleteAsync(new DeleteRequest { Namespace = "default", Name = "cm1" }).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Delete, "/api/v1/namespaces/default/configmaps/cm1")),
        new("alice lists nodes", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new NodeService.NodeServiceClient(ch).ListAsync(new ListRequest()).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Get, "/api/v1/nodes")),
        new("alice binds herself to cluster-admin", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new ClusterRoleBindingService.ClusterRoleBindingServiceClient(ch).CreateAsync(NewClusterBinding("alice-admin", "cluster-admin", "alice")).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Post, $"{Rbac}/clusterrolebindings", ClusterBindingJson("alice-admin", "cluster-admin", "alice"))),
        new("alice impersonates the admin", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Get, "/api/v1/namespaces/default/pods", null, ("Impersonate-User", "kubernetes-admin")),
            Impersonate: [("impersonate-user", "kubernetes-admin")]),
        new("alice impersonates system:masters", AuthFixture.Alice, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).ListAsync(new ListRequest()).ResponseAsync,
            f => f.Rest(AuthFixture.Alice, Get, "/api/v1/secrets", null, ("Impersonate-User", "alice"), ("Impersonate-Group", "system:masters")),
            Impersonate: [("impersonate-user", "alice"), ("impersonate-group", "system:masters")]),

        // bob edits team-a and nothing else.
        new("bob lists pods in default", AuthFixture.Bob, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Bob, Get, "/api/v1/namespaces/default/pods")),
        new("bob lists secrets in every namespace", AuthFixture.Bob, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).ListAsync(new ListRequest()).ResponseAsync,
            f => f.Rest(AuthFixture.Bob, Get, "/api/v1/secrets")),
        new("bob grants admin in team-a through a RoleBinding", AuthFixture.Bob, StatusCode.PermissionDenied,
            (_, ch) => new RoleBindingService.RoleBindingServiceClient(ch).CreateAsync(NewBinding("bob-admin", AuthFixture.TeamNamespace, "ClusterRole", "admin", "bob")).ResponseAsync,
            f => f.Rest(AuthFixture.Bob, Post, $"{Rbac}/namespaces/{AuthFixture.TeamNamespace}/rolebindings", BindingJson("bob-admin", "ClusterRole", "admin", "bob"))),
        new("bob labels a node", AuthFixture.Bob, StatusCode.PermissionDenied,
            async (f, ch) => await new NodeService.NodeServiceClient(ch).UpdateAsync(Labelled(await AdminNodeAsync(f, "node-2"), "bob", "was-here")),
            async f => await f.Rest(AuthFixture.Bob, Put, "/api/v1/nodes/node-2", await f.LabelledJsonAsync("/api/v1/nodes/node-2", "bob", "was-here"))),
        new("bob execs into a pod in default", AuthFixture.Bob, StatusCode.PermissionDenied,
            (_, ch) => FirstAsync(new PodService.PodServiceClient(ch).Exec(new PodExecRequest { Namespace = "default", Name = "pod-on-1", Command = { "ls" } }).ResponseStream),
            f => f.Rest(AuthFixture.Bob, Post, "/api/v1/namespaces/default/pods/pod-on-1/exec?command=ls&stdout=true")),

        // carol reads pods and allowed-cm in default, and may write roles and bindings there: never beyond what she holds.
        new("carol binds herself to edit (escalation through a RoleBinding)", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new RoleBindingService.RoleBindingServiceClient(ch).CreateAsync(NewBinding("carol-edit", "default", "ClusterRole", "edit", "carol")).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Post, $"{Rbac}/namespaces/default/rolebindings", BindingJson("carol-edit", "ClusterRole", "edit", "carol"))),
        new("carol binds herself to cluster-admin in default", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new RoleBindingService.RoleBindingServiceClient(ch).CreateAsync(NewBinding("carol-root", "default", "ClusterRole", "cluster-admin", "carol")).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Post, $"{Rbac}/namespaces/default/rolebindings", BindingJson("carol-root", "ClusterRole", "cluster-admin", "carol"))),
        new("carol creates a Role reading secrets (escalation through a Role)", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new RoleService.RoleServiceClient(ch).CreateAsync(NewRole("secret-reader", "default", "secrets", "get")).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Post, $"{Rbac}/namespaces/default/roles", RoleJson("secret-reader", "secrets", "get"))),
        new("carol widens her own Role to delete pods", AuthFixture.Carol, StatusCode.PermissionDenied,
            async (f, ch) => await new RoleService.RoleServiceClient(ch).UpdateAsync(Widened(await AdminRoleAsync(f, "pod-reader"))),
            async f => await f.Rest(AuthFixture.Carol, Put, $"{Rbac}/namespaces/default/roles/pod-reader", await f.WidenedRoleJsonAsync("pod-reader"))),
        new("carol creates a ClusterRoleBinding", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new ClusterRoleBindingService.ClusterRoleBindingServiceClient(ch).CreateAsync(NewClusterBinding("carol-view", "view", "carol")).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Post, $"{Rbac}/clusterrolebindings", ClusterBindingJson("carol-view", "view", "carol"))),
        new("carol execs into a pod without pods/exec", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => FirstAsync(new PodService.PodServiceClient(ch).Exec(new PodExecRequest { Namespace = "default", Name = "pod-on-1", Command = { "ls" } }).ResponseStream),
            f => f.Rest(AuthFixture.Carol, Get, "/api/v1/namespaces/default/pods/pod-on-1/exec?command=ls&stdout=true")),
        new("carol reads logs without pods/log", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => FirstAsync(new PodService.PodServiceClient(ch).GetLogs(new PodLogRequest { Namespace = "default", Name = "pod-on-1" }).ResponseStream),
            f => f.Rest(AuthFixture.Carol, Get, "/api/v1/namespaces/default/pods/pod-on-1/log")),
        new("carol reads a ConfigMap her resourceNames do not list", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "other-cm" }).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Get, "/api/v1/namespaces/default/configmaps/other-cm")),
        new("carol lists ConfigMaps with a rule for one name", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Get, "/api/v1/namespaces/default/configmaps")),
        new("carol deletes a pod", AuthFixture.Carol, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).DeleteAsync(new DeleteRequest { Namespace = "default", Name = "pod-on-1" }).ResponseAsync,
            f => f.Rest(AuthFixture.Carol, Delete, "/api/v1/namespaces/default/pods/pod-on-1")),
        new("carol writes a pod's status", AuthFixture.Carol, StatusCode.PermissionDenied,
            async (f, ch) => await new PodService.PodServiceClient(ch).UpdateStatusAsync(WithMessage(await AdminPodAsync(f, "pod-on-1"))),
            async f => await f.Rest(AuthFixture.Carol, Put, "/api/v1/namespaces/default/pods/pod-on-1/status", await f.PodStatusJsonAsync("pod-on-1"))),

        // The kubelet of node-1: only what pods bound to node-1 use, only its own objects.
        new("node-1 reads node-2's Secret", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "s2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/secrets/s2")),
        new("node-1 reads a Secret no pod uses", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "unused" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/secrets/unused")),
        new("node-1 lists Secrets", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/secrets")),
        new("node-1 lists node-2's Secret by its name", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new SecretService.SecretServiceClient(ch).ListAsync(new ListRequest { Namespace = "default", FieldSelector = "metadata.name=s2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ds2")),
        new("node-1 reads node-2's ConfigMap", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new ConfigMapService.ConfigMapServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "cm2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/configmaps/cm2")),
        new("node-1 reads node-2's claim", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new PersistentVolumeClaimService.PersistentVolumeClaimServiceClient(ch).GetAsync(new GetRequest { Namespace = "default", Name = "claim2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Get, "/api/v1/namespaces/default/persistentvolumeclaims/claim2")),
        new("node-1 writes the status of a pod on node-2", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new PodService.PodServiceClient(ch).UpdateStatusAsync(WithMessage(await AdminPodAsync(f, "pod-on-2"))),
            async f => await f.Rest(AuthFixture.Node1, Put, "/api/v1/namespaces/default/pods/pod-on-2/status", await f.PodStatusJsonAsync("pod-on-2"))),
        new("node-1 writes node-2's status", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new NodeService.NodeServiceClient(ch).UpdateStatusAsync(await AdminNodeAsync(f, "node-2")),
            async f => await f.Rest(AuthFixture.Node1, Put, "/api/v1/nodes/node-2/status", (await f.GetJsonAsync("/api/v1/nodes/node-2")).ToJsonString())),
        new("node-1 labels itself with a node-restriction key", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new NodeService.NodeServiceClient(ch).UpdateAsync(Labelled(await AdminNodeAsync(f, "node-1"), "node-restriction.kubernetes.io/trusted", "true")),
            async f => await f.Rest(AuthFixture.Node1, Put, "/api/v1/nodes/node-1", await f.LabelledJsonAsync("/api/v1/nodes/node-1", "node-restriction.kubernetes.io/trusted", "true"))),
        new("node-1 labels itself with a node-restriction subdomain key", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new NodeService.NodeServiceClient(ch).UpdateAsync(Labelled(await AdminNodeAsync(f, "node-1"), "example.node-restriction.kubernetes.io/zone", "a")),
            async f => await f.Rest(AuthFixture.Node1, Put, "/api/v1/nodes/node-1", await f.LabelledJsonAsync("/api/v1/nodes/node-1", "example.node-restriction.kubernetes.io/zone", "a"))),
        new("node-1 renews node-2's Lease", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new LeaseService.LeaseServiceClient(ch).UpdateAsync(await AdminLeaseAsync(f, "node-2")),
            async f => await f.Rest(AuthFixture.Node1, Put, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2", (await f.GetJsonAsync("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2")).ToJsonString())),
        new("node-1 creates a pod that is not a mirror pod", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).CreateAsync(NewPod("node-made", "node-1")).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Post, "/api/v1/namespaces/default/pods", PodJson("node-made", "node-1"))),
        new("node-1 deletes a pod on node-2", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new PodService.PodServiceClient(ch).DeleteAsync(new DeleteRequest { Namespace = "default", Name = "pod-on-2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Delete, "/api/v1/namespaces/default/pods/pod-on-2")),
        new("node-1 deletes node-2", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new NodeService.NodeServiceClient(ch).DeleteAsync(new DeleteRequest { Name = "node-2" }).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Delete, "/api/v1/nodes/node-2")),
        new("node-1 changes the spec of its own pod", AuthFixture.Node1, StatusCode.PermissionDenied,
            async (f, ch) => await new PodService.PodServiceClient(ch).UpdateAsync(Labelled(await AdminPodAsync(f, "pod-on-1"), "tampered", "yes")),
            async f => await f.Rest(AuthFixture.Node1, Put, "/api/v1/namespaces/default/pods/pod-on-1", await f.LabelledJsonAsync("/api/v1/namespaces/default/pods/pod-on-1", "tampered", "yes"))),
        new("node-1 binds itself to cluster-admin", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => new ClusterRoleBindingService.ClusterRoleBindingServiceClient(ch).CreateAsync(NewClusterBinding("node-root", "cluster-admin", "system:node:node-1")).ResponseAsync,
            f => f.Rest(AuthFixture.Node1, Post, $"{Rbac}/clusterrolebindings", ClusterBindingJson("node-root", "cluster-admin", "system:node:node-1"))),
        new("node-1 execs into its own pod", AuthFixture.Node1, StatusCode.PermissionDenied,
            (_, ch) => FirstAsync(new PodService.PodServiceClient(ch).Exec(new PodExecRequest { Namespace = "default", Name = "pod-on-1", Command = { "ls" } }).ResponseStream),
            f => f.Rest(AuthFixture.Node1, Post, "/api/v1/namespaces/default/pods/pod-on-1/exec?command=ls&stdout=true")),
    }.ToDictionary(c => c.Name);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task IsRefused_OverGrpcAndRest_AndChangesNothing(string name)
    {
        var refusal = Cases[name];
        var before = await fixture.RevisionAsync();

        var channel = refusal.Impersonate is { } impersonate
            ? fixture.Channel(refusal.Token, [.. impersonate.Select(h => new Metadata.Entry(h.Name, h.Value))])
            : fixture.Channel(refusal.Token);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => refusal.Grpc(fixture, channel));
        Assert.Equal(refusal.Code, grpc.StatusCode);

        using var response = await refusal.Rest(fixture);
        var expected = refusal.Code == StatusCode.Unauthenticated ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"REST answered {(int)response.StatusCode}: {body}");
        var status = JsonNode.Parse(body)!;
        Assert.Equal(("Status", (int)expected), (status["kind"]!.GetValue<string>(), status["code"]!.GetValue<int>()));
        Assert.Equal(refusal.Code == StatusCode.Unauthenticated ? "Unauthorized" : "Forbidden", status["reason"]!.GetValue<string>());

        Assert.Equal(before, await fixture.RevisionAsync());
    }

    [Fact]
    public async Task Forbidden_SpeaksKubeApiserversWording()
    {
        using var response = await fixture.Rest(AuthFixture.Alice, Get, "/api/v1/namespaces/default/pods");
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", status["message"]!.GetValue<string>());
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new PodService.PodServiceClient(fixture.Channel(AuthFixture.Alice)).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync);
        Assert.Equal(status["message"]!.GetValue<string>(), grpc.Status.Detail);
    }

    [Fact]
    public void TheTableHoldsAtLeastFortyRefusals() => Assert.True(Cases.Count >= 40, $"{Cases.Count} refusals");

    private static async Task FirstAsync<T>(IAsyncStreamReader<T> stream) => await stream.MoveNext(CancellationToken.None);

    private static async Task<Node> AdminNodeAsync(AuthFixture f, string name) =>
        await new NodeService.NodeServiceClient(f.Channel(AuthFixture.Admin)).GetAsync(new GetRequest { Name = name });

    private static async Task<Pod> AdminPodAsync(AuthFixture f, string name) =>
        await new PodService.PodServiceClient(f.Channel(AuthFixture.Admin)).GetAsync(new GetRequest { Namespace = "default", Name = name });

    private static async Task<Lease> AdminLeaseAsync(AuthFixture f, string name) =>
        await new LeaseService.LeaseServiceClient(f.Channel(AuthFixture.Admin)).GetAsync(new GetRequest { Namespace = "kube-node-lease", Name = name });

    private static async Task<Role> AdminRoleAsync(AuthFixture f, string name) =>
        await new RoleService.RoleServiceClient(f.Channel(AuthFixture.Admin)).GetAsync(new GetRequest { Namespace = "default", Name = name });

    private static Node Labelled(Node node, string key, string value)
    {
        node.Metadata.Labels[key] = value;
        return node;
    }

    private static Pod Labelled(Pod pod, string key, string value)
    {
        pod.Metadata.Labels[key] = value;
        return pod;
    }

    private static Pod WithMessage(Pod pod)
    {
        pod.Status ??= new PodStatus();
        pod.Status.Message = "written by someone else";
        return pod;
    }

    private static Role Widened(Role role)
    {
        role.Rules.Add(new PolicyRule { ApiGroups = { "" }, Resources = { "pods" }, Verbs = { "delete" } });
        return role;
    }

    private static ConfigMap NewConfigMap(string name) => new() { Metadata = new ObjectMeta { Name = name, Namespace = "default" }, Data = { ["k"] = "v" } };

    private static string ConfigMapJson(string name) => $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"k":"v"}}""";

    private static Pod NewPod(string name, string node) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PodSpec { NodeName = node, Containers = { new Container { Name = "c", Image = "busybox" } } },
    };

    private static string PodJson(string name, string node = "") =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{"nodeName":"{{{node}}}","containers":[{"name":"c","image":"busybox"}]}}""";

    private static Subject UserSubject(string user) => new() { Kind = "User", ApiGroup = "rbac.authorization.k8s.io", Name = user };

    private static RoleBinding NewBinding(string name, string ns, string roleKind, string role, string user) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = roleKind, Name = role },
        Subjects = { UserSubject(user) },
    };

    private static string BindingJson(string name, string roleKind, string role, string user) =>
        $$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"{{{name}}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"{{{roleKind}}}","name":"{{{role}}}"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{{{user}}}"}]}""";

    private static ClusterRoleBinding NewClusterBinding(string name, string role, string user) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
        Subjects = { UserSubject(user) },
    };

    private static string ClusterBindingJson(string name, string role, string user) =>
        $$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"{{{name}}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{{role}}}"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{{{user}}}"}]}""";

    private static Role NewRole(string name, string ns, string resource, string verb) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Rules = { new PolicyRule { ApiGroups = { "" }, Resources = { resource }, Verbs = { verb } } },
    };

    private static string RoleJson(string name, string resource, string verb) =>
        $$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"{{{name}}}"},"rules":[{"apiGroups":[""],"resources":["{{{resource}}}"],"verbs":["{{{verb}}}"]}]}""";

    /// <summary>One request that must be refused, as a gRPC call and as a REST request.</summary>
    private sealed record Refusal(
        string Name,
        string? Token,
        StatusCode Code,
        Func<AuthFixture, GrpcChannel, Task> Grpc,
        Func<AuthFixture, Task<HttpResponseMessage>> Rest,
        (string Name, string Value)[]? Impersonate = null);
}

/// <summary>The REST side of the refusal table: requests built from what the admin reads.</summary>
internal static class AuthFixtureRest
{
    public static Task<HttpResponseMessage> Rest(this AuthFixture fixture, string? token, HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers) =>
        fixture.SendAsync(token, method, path, json, headers);

    public static async Task<string> LabelledJsonAsync(this AuthFixture fixture, string path, string key, string value)
    {
        var obj = await fixture.GetJsonAsync(path);
        var meta = obj["metadata"]!.AsObject();
        if (meta["labels"] is not JsonObject labels)
        {
            meta["labels"] = labels = [];
        }

        labels[key] = value;
        return obj.ToJsonString();
    }

    public static async Task<string> PodStatusJsonAsync(this AuthFixture fixture, string pod)
    {
        var obj = await fixture.GetJsonAsync($"/api/v1/namespaces/default/pods/{pod}");
        if (obj["status"] is not JsonObject status)
        {
            obj["status"] = status = [];
        }

        status["message"] = "written by someone else";
        return obj.ToJsonString();
    }

    public static async Task<string> WidenedRoleJsonAsync(this AuthFixture fixture, string role)
    {
        var obj = await fixture.GetJsonAsync($"/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/{role}");
        obj["rules"]!.AsArray().Add(JsonNode.Parse("""{"apiGroups":[""],"resources":["pods"],"verbs":["delete"]}"""));
        return obj.ToJsonString();
    }
}

[CollectionDefinition(Name)]
public sealed class AuthCollection : ICollectionFixture<AuthFixture>
{
    public const string Name = "auth";
}
