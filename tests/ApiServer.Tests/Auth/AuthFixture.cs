using System.Net;
using System.Text.Json.Nodes;
using Grpc.Net.Client;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// The secured api-server with the users below, the bindings that give them their rights, and objects on two nodes
/// for the kubelet's limits.
/// </summary>
public sealed class AuthFixture() : SecuredApiServerFixture("auth")
{
    public const string Admin = "admin-token";
    public const string Alice = "alice-token";
    public const string Bob = "bob-token";
    public const string Carol = "carol-token";
    public const string Node1 = "node-1-token";
    public const string Monitor = "monitor-token";
    public const string Unknown = "no-such-token";
    public const string TeamNamespace = "team-a";

    protected override string AdminToken => Admin;

    protected override IEnumerable<string> TokenLines =>
    [
        "# token,user,uid,\"groups\"",
        $"{Admin},kubernetes-admin,1,\"system:masters\"",
        $"{Alice},alice,2",
        $"{Bob},bob,3,\"developers\"",
        $"{Carol},carol,4,\"readers,binders\"",
        $"{Node1},system:node:node-1,5,\"system:nodes\"",
        $"{Monitor},prometheus,6,\"system:monitoring\"",
    ];

    public GrpcChannel Channel(string? token, Grpc.Core.Metadata headers) => ApiServerHost.ChannelFor(Api.Address, token, headers);

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await SendAsync(Admin, HttpMethod.Get, path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} as the admin: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public async Task CreateAsync(string path, string json)
    {
        using var response = await SendAsync(Admin, HttpMethod.Post, path, json);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    protected override async Task SeedAsync()
    {
        await CreateAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{TeamNamespace}}}"}}""");
        foreach (var node in new[] { "node-1", "node-2" })
        {
            await CreateAsync("/api/v1/nodes", $$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{node}}}","labels":{"kubernetes.io/hostname":"{{{node}}}"} } }""");
            await CreateAsync("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", $$$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"{{{node}}}"},"spec":{"holderIdentity":"{{{node}}}","leaseDurationSeconds":40}}""");
        }

        foreach (var n in new[] { "1", "2" })
        {
            await CreateAsync("/api/v1/namespaces/default/secrets", $$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s{{{n}}}"},"stringData":{"k":"v"}}""");
            await CreateAsync("/api/v1/namespaces/default/configmaps", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm{{{n}}}"},"data":{"k":"v"}}""");
            await CreateAsync("/api/v1/namespaces/default/persistentvolumeclaims", $$$"""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"claim{{{n}}}"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Mi"} } } }""");
            await CreateAsync("/api/v1/namespaces/default/pods", $$$"""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-on-{{{n}}}"},"spec":{"nodeName":"node-{{{n}}}",
                 "containers":[{"name":"c","image":"busybox","envFrom":[{"configMapRef":{"name":"cm{{{n}}}"}}]}],
                 "volumes":[{"name":"s","secret":{"secretName":"s{{{n}}}"}},{"name":"d","persistentVolumeClaim":{"claimName":"claim{{{n}}}"}}]}}
                """);
        }

        await CreateAsync("/api/v1/namespaces/default/secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"unused"},"stringData":{"k":"v"}}""");
        await CreateAsync("/api/v1/namespaces/default/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"allowed-cm"},"data":{"k":"v"}}""");
        await CreateAsync("/api/v1/namespaces/default/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other-cm"},"data":{"k":"v"}}""");

        // bob edits team-a; carol reads pods and one ConfigMap in default and may manage roles and bindings there.
        await CreateAsync($"/apis/rbac.authorization.k8s.io/v1/namespaces/{TeamNamespace}/rolebindings", """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"developers-edit"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
             "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"developers"}]}
            """);
        await CreateAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pod-reader"},
             "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]},
                      {"apiGroups":[""],"resources":["configmaps"],"resourceNames":["allowed-cm"],"verbs":["get"]}]}
            """);
        await CreateAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"rbac-manager"},
             "rules":[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles","rolebindings"],"verbs":["get","list","create","update","delete"]}]}
            """);
        foreach (var (binding, role, group) in new[] { ("readers", "pod-reader", "readers"), ("binders", "rbac-manager", "binders") })
        {
            await CreateAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", $$$"""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"{{{binding}}}"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"{{{role}}}"},
                 "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"{{{group}}}"}]}
                """);
        }
    }
}
