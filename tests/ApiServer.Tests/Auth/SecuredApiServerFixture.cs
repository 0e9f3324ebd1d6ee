using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Net.Client;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// An api-server with Authorization:Mode Node,RBAC and a static token file, on a redis-server, with its REST endpoint
/// on HTTPS under a certificate of the fixture's own CA (kubectl sends tokens only over TLS). Each fixture names its
/// users and seeds its objects; the channels and HTTP clients per token are shared.
/// </summary>
public abstract class SecuredApiServerFixture : IAsyncLifetime
{
    private readonly RedisServer _store = new();
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private readonly Dictionary<string, HttpClient> _clients = [];
    private ApiServerHost? _api;
    private X509Certificate2? _ca;

    protected SecuredApiServerFixture(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory($"kubemesh-{name}-").FullName;
    }

    /// <summary>The fixture's scratch directory: token file, serving certificate, keys.</summary>
    protected string Directory { get; }

    /// <summary>The REST endpoint, HTTPS.</summary>
    public Uri Rest { get; } = new($"https://127.0.0.1:{FreePort.Get()}");

    /// <summary>The CA that issued the REST endpoint's certificate, PEM-encoded, for kubeconfigs.</summary>
    public string CaPem { get; private set; } = "";

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public string TokenFile => Path.Combine(Directory, "tokens.csv");

    /// <summary>The token the fixture itself seeds with: a member of system:masters.</summary>
    protected abstract string AdminToken { get; }

    /// <summary>The token file's lines: <c>token,user,uid,"groups"</c>.</summary>
    protected abstract IEnumerable<string> TokenLines { get; }

    /// <summary>Settings beyond the listener, the token file and the authorizer.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    /// <summary>The fixture's objects, created once the bootstrap policy is in place.</summary>
    protected abstract Task SeedAsync();

    public async Task InitializeAsync()
    {
        await File.WriteAllLinesAsync(TokenFile, TokenLines);
        _ca = ServingCertificates.CreateCa($"{GetType().Name}-ca");
        CaPem = _ca.ExportCertificatePem();
        ServingCertificates.WriteServing(_ca, Path.Combine(Directory, "rest.crt"), Path.Combine(Directory, "rest.key"));

        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Rest:Url"] = Rest.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Rest:Protocols"] = "Http1AndHttp2",
            ["Kestrel:Endpoints:Rest:Certificate:Path"] = Path.Combine(Directory, "rest.crt"),
            ["Kestrel:Endpoints:Rest:Certificate:KeyPath"] = Path.Combine(Directory, "rest.key"),
            ["Authentication:TokenAuthFile"] = TokenFile,
            ["Authorization:Mode"] = "Node,RBAC",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, settings, bearerToken: AdminToken);
        // The last of the bootstrap policy the api-server writes at start.
        await Eventually.Until(async () =>
        {
            using var response = await SendAsync(AdminToken, HttpMethod.Get, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:kubemesh:certificate-controller");
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the bootstrap RBAC policy is in place");
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
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>A gRPC channel whose calls carry the token (null: no credential), one per token.</summary>
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

    public async Task<HttpResponseMessage> SendAsync(string? token, HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Http(token).SendAsync(request);
    }

    public Task<long> RevisionAsync() => Api.Services.GetRequiredService<ObjectStore>().CurrentRevisionAsync();

    /// <summary>An HTTP client of the REST endpoint whose requests carry the token (null: no credential), one per token.</summary>
    public HttpClient Http(string? token)
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
}
