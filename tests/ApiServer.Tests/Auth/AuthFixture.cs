using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// An api-server with Authorization:Mode Node,RBAC and a token file, on a redis-server, with its REST endpoint; the
/// users below, the bindings that give them their rights, and objects on two nodes for the kubelet's limits.
/// Tokens work over plain HTTP, so both APIs are reached without TLS.
/// </summary>
public sealed class AuthFixture : IAsyncLifetime
{
    public const string Admin = "admin-token";
    public const string Alice = "alice-token";
    public const string Bob = "bob-token";
    public const string Carol = "carol-token";
    public const string Node1 = "node-1-token";
    public const string Unknown = "no-such-token";
    public const string TeamNamespace = "team-a";

    private readonly RedisServer _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemesh-auth-").FullName;
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private readonly Dictionary<string, HttpClient> _clients = [];
    private ApiServerHost? _api;
    private X509Certificate2? _ca;

    /// <summary>HTTPS with a certificate of the fixture's own CA: kubectl sends tokens only over TLS.</summary>
    public Uri Rest { get; } = new($"https://127.0.0.1:{FreePort.Get()}");

    /// <summary>The CA that issued the REST endpoint's certificate, PEM-encoded, for kubeconfigs.</summary>
    public string CaPem { get; private set; } = "";

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public string TokenFile => Path.Combine(_dir, "tokens.csv");

    public async Task InitializeAsync()
    {
        await File.WriteAllLinesAsync(TokenFile,
        [
            "# token,user,uid,\"groups\"",
            $"{Admin},kubernetes-admin,1,\"system:masters\"",
            $"{Alice},alice,2",
            $"{Bob},bob,3,\"developers\"",
            $"{Carol},carol,4,\"readers,binders\"",
            $"{Node1},system:node:node-1,5,\"system:nodes\"",
        ]);
        _ca = ServingCertificates.CreateCa("auth-test-ca");
        CaPem = _ca.ExportCertificatePem();
        ServingCertificates.WriteServing(_ca, Path.Combine(_dir, "rest.crt"), Path.Combine(_dir, "rest.key"));

        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Rest:Url"] = Rest.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Rest:Protocols"] = "Http1AndHttp2",
            ["Kestrel:Endpoints:Rest:Certificate:Path"] = Path.Combine(_dir, "rest.crt"),
            ["Kestrel:Endpoints:Rest:Certificate:KeyPath"] = Path.Combine(_dir, "rest.key"),
            ["Authentication:TokenAuthFile"] = TokenFile,
            ["Authorization:Mode"] = "Node,RBAC",
        }, bearerToken: Admin);
        await Eventually.Until(async () => (await SendAsync(Admin, HttpMethod.Get, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:kubemesh:certificate-controller")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "the bootstrap RBAC policy is in place");
        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
        _ca?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A gRPC channel whose calls carry the token (null: no credential).</summary>
    public GrpcChannel Channel(string? token)
    {
        lock (_channels)
        {
            var key = token ?? "";
            if (!_channels.TryGetValue(key, out var channel))
            {
                _channels[key] = channel = ApiServerHost.ChannelFor(Api.Address, token);
            }

            return channel;
        }
    }

    public GrpcChannel Channel(string? token, Grpc.Core.Metadata headers) => ApiServerHost.ChannelFor(Api.Address, token, headers);

    public async Task<HttpResponseMessage> SendAsync(string? token, HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers)
    {
        var client = Http(token);
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await SendAsync(Admin, HttpMethod.Get, path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} as the admin: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public Task<long> RevisionAsync() => Api.Services.GetRequiredService<ObjectStore>().CurrentRevisionAsync();

    public async Task CreateAsync(string path, string json)
    {
        using var response = await SendAsync(Admin, HttpMethod.Post, path, json);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private HttpClient Http(string? token)
    {
        lock (_clients)
        {
            var key = token ?? "";
            if (!_clients.TryGetValue(key, out var client))
            {
                var handler = new HttpClientHandler
                {
                    // Trust exactly the fixture's CA.
                    ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && IssuedByOurCa(certificate),
                };
                client = new HttpClient(handler) { BaseAddress = Rest, Timeout = TimeSpan.FromSeconds(30) };
                if (token is not null)
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                _clients[key] = client;
            }

            return client;
        }
    }

    private bool IssuedByOurCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private async Task SeedAsync()
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
