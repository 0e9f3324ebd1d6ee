using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>What each user may do, over both APIs, and that RBAC changes count for the very next request.</summary>
[Collection(AuthCollection.Name)]
public sealed class AccessTests(AuthFixture fixture)
{
    [Theory]
    [InlineData(AuthFixture.Admin, "/api/v1/namespaces/default/pods")]
    [InlineData(AuthFixture.Admin, "/api/v1/secrets")]
    [InlineData(AuthFixture.Bob, "/api/v1/namespaces/team-a/pods")]
    [InlineData(AuthFixture.Bob, "/api/v1/namespaces/team-a/secrets")]
    [InlineData(AuthFixture.Carol, "/api/v1/namespaces/default/pods")]
    [InlineData(AuthFixture.Carol, "/api/v1/namespaces/default/configmaps/allowed-cm")]
    [InlineData(AuthFixture.Node1, "/api/v1/namespaces/default/secrets/s1")]
    [InlineData(AuthFixture.Node1, "/api/v1/namespaces/default/configmaps/cm1")]
    [InlineData(AuthFixture.Node1, "/api/v1/namespaces/default/persistentvolumeclaims/claim1")]
    [InlineData(AuthFixture.Node1, "/api/v1/nodes")]
    [InlineData(AuthFixture.Node1, "/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ds1")]
    [InlineData(null, "/healthz")]
    [InlineData(null, "/version")]
    [InlineData(null, "/apis")]
    [InlineData(AuthFixture.Alice, "/api")]
    public async Task Allowed_OverRest(string? token, string path)
    {
        using var response = await fixture.SendAsync(token, HttpMethod.Get, path);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Allowed_OverGrpc()
    {
        await new PodService.PodServiceClient(fixture.Channel(AuthFixture.Carol)).ListAsync(new ListRequest { Namespace = "default" });
        await new SecretService.SecretServiceClient(fixture.Channel(AuthFixture.Node1)).GetAsync(new GetRequest { Namespace = "default", Name = "s1" });
        var one = await new ConfigMapService.ConfigMapServiceClient(fixture.Channel(AuthFixture.Node1)).ListAsync(new ListRequest { Namespace = "default", FieldSelector = "metadata.name=cm1" });
        Assert.Equal(["cm1"], one.Items.Select(c => c.Metadata.Name));
        await new Grpc.Health.V1.Health.HealthClient(fixture.Channel(null)).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        await new DiscoveryService.DiscoveryServiceClient(fixture.Channel(null)).ListResourcesAsync(new ListResourcesRequest());
    }

    [Fact]
    public async Task Kubelet_WritesItsOwnPodStatusNodeAndLease()
    {
        var admin = fixture.Channel(AuthFixture.Admin);
        var node1 = fixture.Channel(AuthFixture.Node1);
        var pod = await new PodService.PodServiceClient(admin).GetAsync(new GetRequest { Namespace = "default", Name = "pod-on-1" });
        pod.Status ??= new PodStatus();
        pod.Status.Message = "running here";
        pod.Metadata.ResourceVersion = "";
        await new PodService.PodServiceClient(node1).UpdateStatusAsync(pod);

        var node = await new NodeService.NodeServiceClient(admin).GetAsync(new GetRequest { Name = "node-1" });
        node.Metadata.Labels["topology.kubernetes.io/zone"] = "zone-a";
        node.Metadata.ResourceVersion = "";
        await new NodeService.NodeServiceClient(node1).UpdateAsync(node);

        var lease = await new LeaseService.LeaseServiceClient(admin).GetAsync(new GetRequest { Namespace = "kube-node-lease", Name = "node-1" });
        lease.Metadata.ResourceVersion = "";
        await new LeaseService.LeaseServiceClient(node1).UpdateAsync(lease);

        var stored = await new PodService.PodServiceClient(admin).GetAsync(new GetRequest { Namespace = "default", Name = "pod-on-1" });
        Assert.Equal("running here", stored.Status.Message);
    }

    [Fact]
    public async Task ABinding_TakesEffectForTheNextRequest_AndItsDeletionToo()
    {
        const string path = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings";
        var pods = new PodService.PodServiceClient(fixture.Channel(AuthFixture.Alice));
        var before = await Assert.ThrowsAsync<RpcException>(() => pods.ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, before.StatusCode);

        await fixture.CreateAsync(path, """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"alice-view"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}]}
            """);
        await pods.ListAsync(new ListRequest { Namespace = "default" });
        using (var response = await fixture.SendAsync(AuthFixture.Alice, HttpMethod.Get, "/api/v1/namespaces/default/pods"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var deleted = await fixture.SendAsync(AuthFixture.Admin, HttpMethod.Delete, $"{path}/alice-view"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var after = await Assert.ThrowsAsync<RpcException>(() => pods.ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, after.StatusCode);
    }

    [Fact]
    public async Task GrantingWhatOneHolds_IsNoEscalation()
    {
        // carol holds pod-reader's rules, so she may bind alice to it.
        using var response = await fixture.SendAsync(AuthFixture.Carol, HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"alice-reads"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}]}
            """);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var cleanup = await fixture.SendAsync(AuthFixture.Admin, HttpMethod.Delete, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/alice-reads");
    }

    [Fact]
    public async Task UpdatingARoleWithoutChangingItsRules_IsNoEscalation()
    {
        const string path = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles";
        await fixture.CreateAsync(path, """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"secrets-only"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]}""");
        var role = await fixture.GetJsonAsync($"{path}/secrets-only");
        role["metadata"]!["labels"] = new JsonObject { ["audited"] = "yes" };

        using var labelled = await fixture.SendAsync(AuthFixture.Carol, HttpMethod.Put, $"{path}/secrets-only", role.ToJsonString());
        role["rules"]!.AsArray().Add(JsonNode.Parse("""{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}"""));
        role["metadata"]!.AsObject().Remove("resourceVersion");
        using var widened = await fixture.SendAsync(AuthFixture.Carol, HttpMethod.Put, $"{path}/secrets-only", role.ToJsonString());

        Assert.True(labelled.StatusCode == HttpStatusCode.OK, await labelled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, widened.StatusCode);
    }

    [Fact]
    public async Task Escalation_IsRefusedNamingTheMissingPermissions()
    {
        using var response = await fixture.SendAsync(AuthFixture.Carol, HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"too-much"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]}""");
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("roles.rbac.authorization.k8s.io \"too-much\" is forbidden: user \"carol\"", message, StringComparison.Ordinal);
        Assert.Contains("{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoAmI_OverRestAndGrpc_WithImpersonationByTheAdmin()
    {
        using var response = await fixture.SendAsync(AuthFixture.Admin, HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", ("Impersonate-User", "alice"), ("Impersonate-Group", "auditors"));
        var user = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!["userInfo"]!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("alice", user["username"]!.GetValue<string>());
        Assert.Equal(["auditors", "system:authenticated"], user["groups"]!.AsArray().Select(g => g!.GetValue<string>()));

        var grpc = await new AuthService.AuthServiceClient(fixture.Channel(AuthFixture.Carol)).WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal(("carol", "4"), (grpc.Username, grpc.Uid));
        Assert.Equal(["readers", "binders", "system:authenticated"], grpc.Groups);
    }

    [Theory]
    [InlineData("get", "pods", "", true)]
    [InlineData("delete", "pods", "", false)]
    [InlineData("get", "configmaps", "allowed-cm", true)]
    [InlineData("get", "configmaps", "other-cm", false)]
    public async Task CanI_AnswersForTheCaller(string verb, string resource, string name, bool allowed)
    {
        using var response = await fixture.SendAsync(AuthFixture.Carol, HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", $$$"""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
             "spec":{"resourceAttributes":{"namespace":"default","verb":"{{{verb}}}","resource":"{{{resource}}}","name":"{{{name}}}"} } }
            """);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!;
        var grpc = await new AuthService.AuthServiceClient(fixture.Channel(AuthFixture.Carol)).CanIAsync(
            new AccessReviewRequest { Namespace = "default", Verb = verb, Resource = resource, Name = name });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(allowed, status["allowed"]!.GetValue<bool>());
        Assert.Equal(allowed, grpc.Allowed);
    }

    [Fact]
    public async Task RbacObjects_AreValidatedWithFieldPaths()
    {
        using var response = await fixture.SendAsync(AuthFixture.Admin, HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"bad"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"x"},
             "subjects":[{"kind":"Robot","name":"r2"}]}
            """);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("roleRef.kind: Unsupported value: \"Role\"", message, StringComparison.Ordinal);
        Assert.Contains("subjects[0].kind: Unsupported value: \"Robot\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootstrapRoles_ArePrintedAsKubectlShowsThem()
    {
        using var response = await fixture.SendAsync(AuthFixture.Admin, HttpMethod.Get, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin", null,
            ("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"));
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal(("cluster-admin", "ClusterRole/cluster-admin", "system:masters"), (cells[0]!.GetValue<string>(), cells[1]!.GetValue<string>(), cells[4]!.GetValue<string>()));
    }
}
