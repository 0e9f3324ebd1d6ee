using System.Net;
using KubeMesh.Hosting;
using KubeMesh.IngressController.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Transforms;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// The fourth column: YARP alone, one static route for the bench host to the same pods, with the controller's
/// Kestrel limits, upstream pool and forwarding settings, so the report separates YARP's cost from the controller's.
/// Started as its own process (this program with "bare-yarp PORT URL..."), like the controller.
/// </summary>
internal static class BareYarpApp
{
    public const string Command = "bare-yarp";

    public static async Task RunAsync(string[] args)
    {
        var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        var destinations = args[1..];
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = null;
            k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1);
        });
        // The controller's socket transport, its own code (linked in): inline as the bench's environment says.
        builder.WebHost.UseSockets(IngressTransport.Configure);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "bench", ClusterId = "pods", Match = new RouteMatch { Hosts = [InProcessCluster.Host], Path = "/{**rest}" } }],
                [new ClusterConfig
                {
                    ClusterId = "pods",
                    LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                    HttpRequest = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
                    Destinations = destinations.ToDictionary(d => d, d => new DestinationConfig { Address = "http://" + d }),
                }])
            .ConfigureHttpClient((_, handler) => handler.MaxConnectionsPerServer = int.MaxValue)
            .AddTransforms(context => context.AddOriginalHost(true));
        var app = builder.Build();
        app.MapReverseProxy();
        Console.WriteLine($"bare YARP on {port}: server GC {System.Runtime.GCSettings.IsServerGC}, concurrent GC {AppContext.TryGetSwitch("System.GC.Concurrent", out var c) && c}, inline sockets {InlineSocketCompletions.Enabled}");
        await app.RunAsync();
    }
}
