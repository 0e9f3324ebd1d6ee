using System.Diagnostics;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.ApiServer.Extensions;
using KubeMesh.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// No cluster needed: redis-server, a real api-server in this process, N in-process echo pods registered as a
/// Service + Endpoints + Ingress through the API, and the controller's Release build as its own process.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    public const string Host = "bench.local";
    private Process? _redis;
    private WebApplication? _apiServer;
    private EchoServers? _pods;
    private Process? _ingress;
    private Process? _baseline;
    private KubeMeshClient? _client;

    public static async Task<(InProcessCluster Cluster, BenchTarget Target)> StartAsync(BenchOptions options)
    {
        var cluster = new InProcessCluster();
        var redisPort = Processes.FreePort();
        cluster._redis = Processes.Start("redis-server", ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);

        var apiPort = Processes.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration["ConnectionStrings:store"] = $"127.0.0.1:{redisPort}";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, apiPort, l => l.Protocols = HttpProtocols.Http2));
        builder.AddApiServer();
        cluster._apiServer = builder.Build();
        cluster._apiServer.MapApiServer();
        await cluster._apiServer.StartAsync();
        var server = $"http://127.0.0.1:{apiPort}";
        cluster._client = KubeMeshClient.Create(server);

        cluster._pods = await EchoServers.StartAsync(options.Backends);
        await cluster.RegisterAsync();

        (cluster._ingress, var url) = await StartControllerAsync(options.IngressDll, options.RuntimeEnvironment(), options, server);
        string? baselineUrl = null;
        if (options.BaselineIngressDll is { } baseline)
        {
            (cluster._baseline, baselineUrl) = await StartControllerAsync(baseline, options.BaselineRuntimeEnvironment(), options, server);
        }

        return (cluster, new BenchTarget(url, Host, [.. cluster._pods.Endpoints.Select(e => $"{e.Ip}:{e.Port}")], baselineUrl));
    }

    /// <summary>A controller process from <paramref name="dll"/>, once it routes to the echo pods; its URL.</summary>
    private static async Task<(Process Process, string Url)> StartControllerAsync(string dll, Dictionary<string, string> environment, BenchOptions options, string server)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Build the controller first: dotnet build -c Release src/IngressController", dll);
        }

        var (httpPort, httpsPort, healthPort) = (Processes.FreePort(), Processes.FreePort(), Processes.FreePort());
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ApiServer__Address"] = server,
            ["IngressController__HttpPort"] = httpPort.ToString(),
            ["IngressController__HttpsPort"] = httpsPort.ToString(),
            ["IngressController__HealthPort"] = healthPort.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
        })
        {
            environment[key] = value;
        }

        var process = Processes.Start("dotnet", [dll], environment, options.ProxyCpu);
        var url = $"http://127.0.0.1:{httpPort}/";
        using var http = new HttpClient();
        await Processes.WaitUntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Host = Host } };
                using var response = await http.SendAsync(request);
                return response.IsSuccessStatusCode;
            },
            "the ingress routes to the echo pods",
            TimeSpan.FromSeconds(60));
        return (process, url);
    }

    public async ValueTask DisposeAsync()
    {
        await Processes.StopAsync(_ingress);
        await Processes.StopAsync(_baseline);
        if (_pods is not null)
        {
            await _pods.DisposeAsync();
        }

        if (_apiServer is not null)
        {
            await _apiServer.DisposeAsync();
        }

        _client?.Dispose();
        await Processes.StopAsync(_redis);
    }

    private async Task RegisterAsync()
    {
        await Processes.WaitUntilAsync(
            async () => (await _client!.For<Namespace>().ListAsync(new ListRequest())).Items.Count > 0, "the api-server serves", TimeSpan.FromSeconds(30));
        await _client!.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "bench-echo", Namespace = "default" },
            Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80, TargetPort = Value.ForNumber(5678) } } },
        });
        var endpoints = new Endpoints { Metadata = new ObjectMeta { Name = "bench-echo", Namespace = "default" } };
        foreach (var group in _pods!.Endpoints.GroupBy(e => e.Port))
        {
            var subset = new EndpointSubset { Ports = { new EndpointPort { Port = group.Key, Protocol = "TCP" } } };
            subset.Addresses.AddRange(group.Select(e => new EndpointAddress { Ip = e.Ip }));
            endpoints.Subsets.Add(subset);
        }

        await _client.For<Endpoints>().CreateAsync(endpoints);
        await _client.For<Ingress>().CreateAsync(BenchObjects.Ingress());
    }
}
