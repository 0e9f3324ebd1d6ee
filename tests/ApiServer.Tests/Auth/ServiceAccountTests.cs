using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Authentication.ServiceAccounts;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// Service-account tokens and the ServiceAccount admission step. Refusals first: each is checked over gRPC and REST
/// where both apply, and checked to have changed nothing (the store's revision does not move).
/// </summary>
[Collection(ServiceAccountCollection.Name)]
public sealed class ServiceAccountTests(ServiceAccountFixture fixture)
{
    private const string Ns = ServiceAccountFixture.Namespace;
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";

    [Fact]
    public async Task Token_Expired_IsUnauthenticated()
    {
        var robot = await AccountAsync("robot");
        using var key = ServiceAccountSigningKey.Open(fixture.SigningKeyFile);
        var past = new FixedClock(DateTimeOffset.UtcNow.AddHours(-3));
        var token = new ServiceAccountTokens(key, Issuer, [Issuer], past)
            .Issue(new("sa-test", "robot", robot.Metadata.Uid, null, null, "expired"), [Issuer], past.GetUtcNow().AddHours(1));

        await AssertUnauthenticatedAsync(token);
    }

    [Fact]
    public async Task Token_SignedByAnotherKey_IsUnauthenticated()
    {
        var robot = await AccountAsync("robot");
        var otherKeyFile = Path.Combine(Path.GetTempPath(), $"kubemesh-other-{Guid.NewGuid():N}.key");
        try
        {
            using var other = ServiceAccountSigningKey.Open(otherKeyFile);
            var token = new ServiceAccountTokens(other, Issuer, [Issuer], TimeProvider.System)
                .Issue(new(Ns, "robot", robot.Metadata.Uid, null, null, "forged"), [Issuer], DateTimeOffset.UtcNow.AddHours(1));
            await AssertUnauthenticatedAsync(token);
        }
        finally
        {
            File.Delete(otherKeyFile);
        }
    }

    [Fact]
    public async Task Token_UnsignedOrTampered_IsUnauthenticated()
    {
        var token = await fixture.TokenAsync("reader");
        var parts = token.Split('.');
        var none = Base64Url.EncodeToString("{\"alg\":\"none\"}"u8) + "." + parts[1] + ".";
        await AssertUnauthenticatedAsync(none);

        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        claims["sub"] = "system:serviceaccount:sa-test:robot";
        var tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];
        await AssertUnauthenticatedAsync(tampered);
    }

    [Fact]
    public async Task Token_ForAnotherAudience_IsUnauthenticated()
    {
        var token = await fixture.TokenAsync("reader", audience: "vault");
        await AssertUnauthenticatedAsync(token);
    }

    [Fact]
    public async Task Token_OfDeletedServiceAccount_IsUnauthenticated()
    {
        await fixture.Accounts().CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "doomed", Namespace = Ns } });
        var token = await fixture.TokenAsync("doomed");
        // Authenticated while the account exists: refused only for want of a binding.
        await AssertForbiddenAsync(token);

        await fixture.Accounts().DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "doomed" });
        await AssertUnauthenticatedAsync(token);

        // An account made again under the same name is another account: the old token stays dead.
        await fixture.Accounts().CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "doomed", Namespace = Ns } });
        await AssertUnauthenticatedAsync(token);
    }

    [Fact]
    public async Task Token_OfDeletedBoundPod_IsUnauthenticated()
    {
        await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("short-lived", "robot"));
        var token = await fixture.TokenAsync("robot", boundPod: "short-lived");
        await AssertForbiddenAsync(token);

        await fixture.Pods().DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "short-lived" });
        await AssertUnauthenticatedAsync(token);
    }

    [Fact]
    public async Task Token_BoundToSecret_DiesWithTheSecret()
    {
        var secrets = new SecretService.SecretServiceClient(fixture.Channel(ServiceAccountFixture.Admin));
        var secret = await secrets.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = "bound-secret", Namespace = Ns } });
        var issued = await fixture.Accounts().CreateTokenAsync(new TokenRequest
        {
            Metadata = new ObjectMeta { Name = "robot", Namespace = Ns },
            Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "Secret", Name = "bound-secret" } },
        });
        Assert.Equal(secret.Metadata.Uid, issued.Spec.BoundObjectRef.Uid);
        Assert.Equal(secret.Metadata.Uid, (string?)Claims(issued.Status.Token)["kubernetes.io"]!["secret"]!["uid"]);
        await AssertForbiddenAsync(issued.Status.Token);

        await secrets.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "bound-secret" });
        await AssertUnauthenticatedAsync(issued.Status.Token);
    }

    [Fact]
    public async Task Token_BoundToNode_NamesItAndDiesWithIt()
    {
        var nodes = new NodeService.NodeServiceClient(fixture.Channel(ServiceAccountFixture.Admin));
        var node = await nodes.CreateAsync(new Node { Metadata = new ObjectMeta { Name = "bound-node" } });
        var issued = await fixture.Accounts().CreateTokenAsync(new TokenRequest
        {
            Metadata = new ObjectMeta { Name = "robot", Namespace = Ns },
            Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "Node", ApiVersion = "v1", Name = "bound-node" } },
        });
        var user = await new Api.ApiServer.V1.AuthService.AuthServiceClient(fixture.Channel(issued.Status.Token)).WhoAmIAsync(new());
        Assert.Equal("system:serviceaccount:sa-test:robot", user.Username);
        Assert.Equal(["bound-node"], user.Extra["authentication.kubernetes.io/node-name"].Items);
        Assert.Equal([node.Metadata.Uid], user.Extra["authentication.kubernetes.io/node-uid"].Items);

        await nodes.DeleteAsync(new DeleteRequest { Name = "bound-node" });
        await AssertUnauthenticatedAsync(issued.Status.Token);
    }

    [Fact]
    public async Task Token_BoundToPod_CarriesThePodsNode()
    {
        var node = await new NodeService.NodeServiceClient(fixture.Channel(ServiceAccountFixture.Admin)).CreateAsync(new Node { Metadata = new ObjectMeta { Name = "pod-node" } });
        await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("on-pod-node", "robot", "pod-node"));
        var token = await fixture.TokenAsync("robot", boundPod: "on-pod-node");

        var k8s = Claims(token)["kubernetes.io"]!;
        Assert.Equal("on-pod-node", (string?)k8s["pod"]!["name"]);
        Assert.Equal(("pod-node", node.Metadata.Uid), ((string?)k8s["node"]!["name"], (string?)k8s["node"]!["uid"]));
        var user = await new Api.ApiServer.V1.AuthService.AuthServiceClient(fixture.Channel(token)).WhoAmIAsync(new());
        Assert.Equal(["on-pod-node"], user.Extra["authentication.kubernetes.io/pod-name"].Items);
        Assert.Equal(["pod-node"], user.Extra["authentication.kubernetes.io/node-name"].Items);
    }

    [Fact]
    public async Task TokenRequest_BoundToAnUnsupportedKind_IsInvalidNamingTheField()
    {
        var before = await fixture.RevisionAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Accounts().CreateTokenAsync(new TokenRequest
        {
            Metadata = new ObjectMeta { Name = "robot", Namespace = Ns },
            Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "ConfigMap", Name = "cm" } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("spec.boundObjectRef.kind: Unsupported value: \"ConfigMap\": supported values: \"Pod\", \"Secret\", \"Node\"", e.Status.Detail);
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    [Fact]
    public async Task ServiceAccount_WithoutBinding_IsForbidden()
    {
        var token = await fixture.TokenAsync("robot");
        await AssertForbiddenAsync(token);
    }

    [Fact]
    public async Task TokenRequest_ShorterThanTenMinutes_IsInvalidAndWritesNothing()
    {
        var before = await fixture.RevisionAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.TokenAsync("robot", seconds: 599));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("spec.expirationSeconds", e.Status.Detail);
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    [Fact]
    public async Task TokenRequest_ForMissingAccount_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.TokenAsync("nobody"));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task TokenRequest_BoundToPodOfAnotherAccount_IsRefused()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.TokenAsync("reader", boundPod: "robot-on-node-1"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("different serviceaccount", e.Status.Detail);
    }

    [Fact]
    public async Task Kubelet_TokenForPodOnAnotherNode_IsForbidden()
    {
        var before = await fixture.RevisionAsync();
        var request = new TokenRequest
        {
            Metadata = new ObjectMeta { Name = "robot", Namespace = Ns },
            Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "Pod", Name = "robot-on-node-2" } },
        };
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.Accounts(ServiceAccountFixture.Node1).CreateTokenAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);

        // Unbound, or for an account no pod of the node runs as, is refused too.
        request.Spec.BoundObjectRef = null;
        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Accounts(ServiceAccountFixture.Node1).CreateTokenAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        request.Metadata.Name = "reader";
        e = await Assert.ThrowsAsync<RpcException>(() => fixture.Accounts(ServiceAccountFixture.Node1).CreateTokenAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    [Fact]
    public async Task Pod_NamingMissingServiceAccount_IsRefusedNamingTheField()
    {
        var before = await fixture.RevisionAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => fixture.CreatePodAsync(ServiceAccountFixture.NewPod("orphan", "ghost")));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("spec.serviceAccountName", e.Status.Detail);
        Assert.Contains("ghost", e.Status.Detail);

        using var response = await fixture.SendAsync(ServiceAccountFixture.Admin, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"orphan"},"spec":{"serviceAccountName":"ghost","containers":[{"name":"c","image":"busybox"}]}}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("spec.serviceAccountName", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    [Fact]
    public async Task Kubelet_TokenForPodOnItsNode_IsIssuedAndBound()
    {
        var request = new TokenRequest
        {
            Metadata = new ObjectMeta { Name = "robot", Namespace = Ns },
            Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "robot-on-node-1" } },
        };
        var issued = await fixture.Accounts(ServiceAccountFixture.Node1).CreateTokenAsync(request);
        var pod = await fixture.Pods().GetAsync(new GetRequest { Namespace = Ns, Name = "robot-on-node-1" });
        var claims = Claims(issued.Status.Token);
        Assert.Equal("robot-on-node-1", (string?)claims["kubernetes.io"]!["pod"]!["name"]);
        Assert.Equal(pod.Metadata.Uid, (string?)claims["kubernetes.io"]!["pod"]!["uid"]);
    }

    [Fact]
    public async Task ServiceAccount_WithRoleBinding_IsAllowedAsItsUser()
    {
        var token = await fixture.TokenAsync("reader");
        var pods = await fixture.Pods(token).ListAsync(new ListRequest { Namespace = Ns });
        Assert.Contains(pods.Items, p => p.Metadata.Name == "robot-on-node-1");
        using var response = await fixture.SendAsync(token, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/pods");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // view does not reach another namespace, nor writes.
        await Assert.ThrowsAsync<RpcException>(() => fixture.Pods(token).ListAsync(new ListRequest { Namespace = "default" }).ResponseAsync);
        var review = await new Api.ApiServer.V1.AuthService.AuthServiceClient(fixture.Channel(token)).WhoAmIAsync(new());
        Assert.Equal("system:serviceaccount:sa-test:reader", review.Username);
        Assert.Contains("system:serviceaccounts", review.Groups);
        Assert.Contains("system:serviceaccounts:sa-test", review.Groups);
        Assert.Contains("system:authenticated", review.Groups);
    }

    [Fact]
    public async Task TokenRequest_OverRest_CarriesKubernetesClaims()
    {
        using var response = await fixture.SendAsync(ServiceAccountFixture.Admin, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/serviceaccounts/reader/token",
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["vault","https://kubernetes.default.svc.cluster.local"],"expirationSeconds":1200}}""");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var issued = JsonNode.Parse(body)!;
        Assert.Equal("TokenRequest", (string?)issued["kind"]);
        var reader = await AccountAsync("reader");
        var claims = Claims((string)issued["status"]!["token"]!);
        Assert.Equal(Issuer, (string?)claims["iss"]);
        Assert.Equal("system:serviceaccount:sa-test:reader", (string?)claims["sub"]);
        Assert.Equal(["vault", Issuer], claims["aud"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(1200, (long)claims["exp"]! - (long)claims["iat"]!);
        Assert.Equal((long)claims["iat"]!, (long)claims["nbf"]!);
        Assert.Equal(Ns, (string?)claims["kubernetes.io"]!["namespace"]);
        Assert.Equal("reader", (string?)claims["kubernetes.io"]!["serviceaccount"]!["name"]);
        Assert.Equal(reader.Metadata.Uid, (string?)claims["kubernetes.io"]!["serviceaccount"]!["uid"]);

        // It authenticates: one of its audiences is the api-server's.
        using var list = await fixture.SendAsync((string)issued["status"]!["token"]!, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/configmaps");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task Pod_WithoutServiceAccountName_GetsDefaultAndTheApiAccessVolume()
    {
        var pod = await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("plain", null));
        Assert.Equal("default", pod.Spec.ServiceAccountName);
        var volume = Assert.Single(pod.Spec.Volumes);
        Assert.StartsWith(ServiceAccountAdmission.VolumePrefix, volume.Name);
        Assert.Collection(volume.Projected.Sources,
            s => Assert.Equal("token", s.ServiceAccountToken.Path),
            s => Assert.Equal(("kube-root-ca.crt", "ca.crt"), (s.ConfigMap.Name, s.ConfigMap.Items.Single().Path)),
            s => Assert.Equal(("namespace", "metadata.namespace"), (s.DownwardApi.Items.Single().Path, s.DownwardApi.Items.Single().FieldRef.FieldPath)));
        var mount = Assert.Single(pod.Spec.Containers[0].VolumeMounts);
        Assert.Equal((volume.Name, ServiceAccountAdmission.MountPath, true), (mount.Name, mount.MountPath, mount.ReadOnly));
    }

    [Fact]
    public async Task Pod_ManifestAppliedAgain_IsUnchangedAndKeepsWhatAdmissionAdded()
    {
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: reapplied\n  namespace: {Ns}\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n";
        var first = await fixture.Manifests().ApplyAsync(new KubeMesh.Api.ApiServer.V1.ApplyRequest { Manifest = manifest });
        var created = await fixture.Pods().GetAsync(new GetRequest { Namespace = Ns, Name = "reapplied" });

        // As kubectl apply's merge keeps what the manifest never said: the account, the token volume and its mount.
        var second = await fixture.Manifests().ApplyAsync(new KubeMesh.Api.ApiServer.V1.ApplyRequest { Manifest = manifest });

        Assert.Equal(("created", "unchanged"), (Assert.Single(first.Results).Action, Assert.Single(second.Results).Action));
        var kept = await fixture.Pods().GetAsync(new GetRequest { Namespace = Ns, Name = "reapplied" });
        Assert.Equal(created.Spec, kept.Spec);
        Assert.StartsWith(ServiceAccountAdmission.VolumePrefix, Assert.Single(kept.Spec.Volumes).Name);
    }

    [Fact]
    public async Task Pod_AutomountFalse_GetsNoVolume()
    {
        var pod = await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("no-token", "robot", automount: false));
        Assert.Empty(pod.Spec.Volumes);
        Assert.Empty(pod.Spec.Containers[0].VolumeMounts);

        await fixture.Accounts().CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "quiet", Namespace = Ns }, AutomountServiceAccountToken = false });
        pod = await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("quiet-pod", "quiet"));
        Assert.Empty(pod.Spec.Volumes);

        // The pod's own choice wins over the account's.
        pod = await fixture.CreatePodAsync(ServiceAccountFixture.NewPod("loud-pod", "quiet", automount: true));
        Assert.Single(pod.Spec.Volumes);
    }

    private async Task AssertUnauthenticatedAsync(string token)
    {
        var before = await fixture.RevisionAsync();
        using var channel = ApiServerHost.ChannelFor(fixture.Api.Address, token);
        var e = await Assert.ThrowsAsync<RpcException>(() => new ConfigMapService.ConfigMapServiceClient(channel).CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "by-token", Namespace = Ns } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        using var response = await fixture.SendAsync(token, HttpMethod.Post, $"/api/v1/namespaces/{Ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"by-token"}}""");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    private async Task AssertForbiddenAsync(string token)
    {
        var before = await fixture.RevisionAsync();
        using var channel = ApiServerHost.ChannelFor(fixture.Api.Address, token);
        var e = await Assert.ThrowsAsync<RpcException>(() => new ConfigMapService.ConfigMapServiceClient(channel).CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "by-token", Namespace = Ns } }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("system:serviceaccount:sa-test:", e.Status.Detail);
        using var response = await fixture.SendAsync(token, HttpMethod.Get, $"/api/v1/namespaces/{Ns}/pods");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await fixture.RevisionAsync());
    }

    private async Task<ServiceAccount> AccountAsync(string name) =>
        await fixture.Accounts().GetAsync(new GetRequest { Namespace = Ns, Name = name });

    private static JsonObject Claims(string token) => JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!.AsObject();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
