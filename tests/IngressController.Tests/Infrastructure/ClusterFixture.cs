using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;
using KubeMesh.IngressController.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>
/// redis-server, a real api-server and the ingress controller, each on free 127.0.0.1 ports in this process;
/// backends are <see cref="EchoBackend"/>s registered through Services and Endpoints, as a kubelet's pods would be.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("kubemesh-ingress-tests").FullName;
    private readonly RedisServer _redis = new();
    private ApiServerHost? _apiServer;
    private WebApplication? _ingress;

    /// <summary>How long a test waits for the controller to follow a change (it usually takes milliseconds).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public KubeMeshClient Client => _apiServer!.Client;

    public int HttpPort { get; } = FreePort.Get();

    public int HttpsPort { get; } = FreePort.Get();

    public int HealthPort { get; } = FreePort.Get();

    public IServiceProvider IngressServices => _ingress!.Services;

    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Holds up a build of routing's matcher when a test asks it to.</summary>
    public SlowMatcherBuilds SlowMatcherBuilds { get; } = new();

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _apiServer = await ApiServerHost.StartAsync(_redis.ConnectionString);
        _ingress = BuildController(HttpPort, HttpsPort, HealthPort);
        await _ingress.StartAsync();
    }

    /// <summary>An ingress controller on these ports over the fixture's api-server, built and not started.</summary>
    public WebApplication BuildController(int httpPort, int httpsPort, int healthPort)
    {
        var ingress = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot });
        ingress.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = _apiServer!.Address,
            ["IngressController:HttpPort"] = httpPort.ToString(),
            ["IngressController:HttpsPort"] = httpsPort.ToString(),
            ["IngressController:HealthPort"] = healthPort.ToString(),
        });
        ingress.Logging.SetMinimumLevel(LogLevel.Warning);

        // Short, so that a test can see a half-sent request head time out (Kestrel's default is 30 s).
        ingress.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout);
        ingress.AddIngressController();
        ingress.Services.AddSingleton<MatcherPolicy>(SlowMatcherBuilds);
        var app = ingress.Build();
        app.MapIngressController();
        return app;
    }

    public async Task DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (_ingress is not null)
        {
            await _ingress.StopAsync(cts.Token);
            await _ingress.DisposeAsync();
        }

        if (_apiServer is not null)
        {
            await _apiServer.DisposeAsync();
        }

        await _redis.DisposeAsync();

        Directory.Delete(_contentRoot, recursive: true);
    }

    /// <summary>A Service on port 80 and its Endpoints listing the backends' addresses (one shared port each).</summary>
    public Task CreateServiceAsync(string name, params EchoBackend[] backends) =>
        CreateServiceAsync(name, [.. backends.Select(b => (b.Ip, b.Port))]);

    /// <summary>A Service on port 80 and its Endpoints listing this one pod address.</summary>
    public Task CreateServiceAsync(string name, (string Ip, int Port) pod) => CreateServiceAsync(name, [pod]);

    private async Task CreateServiceAsync(string name, (string Ip, int Port)[] pods)
    {
        await Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80, TargetPort = Value.ForNumber(5678) } } },
        });
        await SetEndpointsAsync(name, pods);
    }

    public Task SetEndpointsAsync(string name, params EchoBackend[] backends) =>
        SetEndpointsAsync(name, [.. backends.Select(b => (b.Ip, b.Port))]);

    private async Task SetEndpointsAsync(string name, (string Ip, int Port)[] pods)
    {
        var endpoints = new Endpoints { Metadata = new ObjectMeta { Name = name, Namespace = "default" } };
        foreach (var group in pods.GroupBy(b => b.Port))
        {
            var subset = new EndpointSubset { Ports = { new EndpointPort { Port = group.Key, Protocol = "TCP" } } };
            subset.Addresses.AddRange(group.Select(b => new EndpointAddress { Ip = b.Ip }));
            endpoints.Subsets.Add(subset);
        }

        var client = Client.For<Endpoints>();
        try
        {
            var existing = await client.GetAsync("default", name);
            endpoints.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.UpdateAsync(endpoints);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            await client.CreateAsync(endpoints);
        }
    }

    public Task<Ingress> CreateIngressAsync(Ingress ingress)
    {
        ingress.Metadata.Namespace = ingress.Metadata.Namespace is { Length: > 0 } ns ? ns : "default";
        return Client.For<Ingress>().CreateAsync(ingress);
    }

    public static Ingress Ingress(string name, string host, params (string Path, string PathType, string Service)[] paths)
    {
        var rule = new IngressRule { Host = host, Http = new HTTPIngressRuleValue() };
        foreach (var (path, pathType, service) in paths)
        {
            rule.Http.Paths.Add(new HTTPIngressPath
            {
                Path = path,
                PathType = pathType,
                Backend = new IngressBackend { Service = new IngressServiceBackend { Name = service, Port = new ServiceBackendPort { Number = 80 } } },
            });
        }

        return new Ingress
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new IngressSpec { Rules = { rule } },
        };
    }

    public static ByteString Utf8(string text) => ByteString.CopyFromUtf8(text);
}
