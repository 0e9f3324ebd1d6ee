using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Net.Client;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// An api-server with Authorization:Mode Node,RBAC, a token file for the admin and two kubelets, and a
/// service-account signing key, on a redis-server: the namespace sa-test with the accounts default, robot (no
/// binding) and reader (bound to view), and a pod of each node running as robot.
/// </summary>
public sealed class ServiceAccountFixture : IAsyncLifetime
{
    public const string Admin = "sa-admin-token";
    public const string Node1 = "sa-node-1-token";
    public const string Namespace = "sa-test";
    private readonly RedisServer _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemesh-sa-").FullName;
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private HttpClient? _http;
    private X509Certificate2? _ca;
    private ApiServerHost? _api;

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public string SigningKeyFile => Path.Combine(_dir, "sa.key");

    /// <summary>HTTPS with a certificate of the fixture's own CA: kubectl sends tokens only over TLS.</summary>
    public Uri Rest { get; } = new($"https://127.0.0.1:{FreePort.Get()}");

    public string CaPem { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var tokens = Path.Combine(_dir, "tokens.csv");
        await File.WriteAllLinesAsync(tokens, [$"{Admin},kubernetes-admin,1,\"system:masters\"", $"{Node1},system:node:node-1,5,\"system:nodes\""]);
        _ca = ServingCertificates.CreateCa("sa-test-ca");
        CaPem = _ca.ExportCertificatePem();
        ServingCertificates.WriteServing(_ca, Path.Combine(_dir, "rest.crt"), Path.Combine(_dir, "rest.key"));
        var ca = _ca;
        _http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        });
        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Rest:Url"] = Rest.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Rest:Protocols"] = "Http1AndHttp2",
            ["Kestrel:Endpoints:Rest:Certificate:Path"] = Path.Combine(_dir, "rest.crt"),
            ["Kestrel:Endpoints:Rest:Certificate:KeyPath"] = Path.Combine(_dir, "rest.key"),
            ["Authentication:TokenAuthFile"] = tokens,
            ["Authentication:ServiceAccountSigningKeyFile"] = SigningKeyFile,
            ["Authorization:Mode"] = "Node,RBAC",
        }, bearerToken: Admin);
        await Eventually.Until(async () =>
        {
            try
            {
                await new ClusterRoleService.ClusterRoleServiceClient(Channel(Admin)).GetAsync(new GetRequest { Name = "view" });
                return true;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the bootstrap RBAC policy is in place");

        await new NamespaceService.NamespaceServiceClient(Channel(Admin)).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });
        var accounts = new ServiceAccountService.ServiceAccountServiceClient(Channel(Admin));
        foreach (var name in new[] { "default", "robot", "reader" })
        {
            await accounts.CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = name, Namespace = Namespace } });
        }

        await new RoleBindingService.RoleBindingServiceClient(Channel(Admin)).CreateAsync(new RoleBinding
        {
            Metadata = new ObjectMeta { Name = "reader-view", Namespace = Namespace },
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = { new Subject { Kind = "ServiceAccount", Name = "reader", Namespace = Namespace } },
        });
        foreach (var node in new[] { "node-1", "node-2" })
        {
            await CreatePodAsync(NewPod($"robot-on-{node}", "robot", node));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _http?.Dispose();
        _ca?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public GrpcChannel Channel(string token)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(token, out var channel))
            {
                _channels[token] = channel = ApiServerHost.ChannelFor(Api.Address, token);
            }

            return channel;
        }
    }

    public ServiceAccountService.ServiceAccountServiceClient Accounts(string token = Admin) => new(Channel(token));

    public PodService.PodServiceClient Pods(string token = Admin) => new(Channel(token));

    public KubeMesh.Api.ApiServer.V1.ManifestService.ManifestServiceClient Manifests(string token = Admin) => new(Channel(token));

    public async Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Rest, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _http!.SendAsync(request);
    }

    public Task<long> RevisionAsync() => Api.Services.GetRequiredService<ObjectStore>().CurrentRevisionAsync();

    public async Task<Pod> CreatePodAsync(Pod pod) => await Pods().CreateAsync(pod);

    public async Task<string> TokenAsync(string account, string? audience = null, string? boundPod = null, long seconds = 3600)
    {
        var request = new TokenRequest { Metadata = new ObjectMeta { Name = account, Namespace = Namespace }, Spec = new TokenRequestSpec { ExpirationSeconds = seconds } };
        if (audience is not null)
        {
            request.Spec.Audiences.Add(audience);
        }

        if (boundPod is not null)
        {
            request.Spec.BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = boundPod };
        }

        return (await Accounts().CreateTokenAsync(request)).Status.Token;
    }

    public static Pod NewPod(string name, string? account, string? node = null, bool? automount = null)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new PodSpec { Containers = { new Container { Name = "main", Image = "busybox", Command = { "sleep", "3600" } } } },
        };
        if (account is not null)
        {
            pod.Spec.ServiceAccountName = account;
        }

        if (node is not null)
        {
            pod.Spec.NodeName = node;
        }

        if (automount is { } value)
        {
            pod.Spec.AutomountServiceAccountToken = value;
        }

        return pod;
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceAccountCollection : ICollectionFixture<ServiceAccountFixture>
{
    public const string Name = "service accounts";
}
