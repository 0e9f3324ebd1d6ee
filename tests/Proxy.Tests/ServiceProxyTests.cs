using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Proxy.Tests;

/// <summary>Real TCP through the proxy to stand-in pods, with Services and Endpoints written through the api-server.</summary>
public sealed class ServiceProxyTests(ProxyTestCluster cluster) : IClassFixture<ProxyTestCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task Connect_ClusterIp_SpreadsRoundRobinOverReadyEndpoints()
    {
        await using var pods = await StartPodsAsync("127.10.51.1", "127.10.51.2");
        var service = await CreateServiceAsync("rr", "ClusterIP");
        await WriteEndpointsAsync("rr", pods.Ready);
        var address = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080);
        await WaitUntilServedAsync(address);

        var seen = await HellosAsync(address, 6);

        Assert.Equal(3, seen.Count(s => s.StartsWith("127.10.51.1:", StringComparison.Ordinal)));
        Assert.Equal(3, seen.Count(s => s.StartsWith("127.10.51.2:", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public async Task Connect_ClusterIp_RelaysBothWays()
    {
        await using var pods = await StartPodsAsync("127.10.52.1");
        var service = await CreateServiceAsync("echo", "ClusterIP");
        await WriteEndpointsAsync("echo", pods.Ready);
        var address = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080);
        await WaitUntilServedAsync(address);
        var payload = new byte[256 * 1024];
        Random.Shared.NextBytes(payload);

        using var client = new TcpClient();
        await client.ConnectAsync(address);
        var stream = client.GetStream();
        var hello = new byte[pods.Ready[0].ToString().Length + 1];
        await stream.ReadExactlyAsync(hello);
        var writing = stream.WriteAsync(payload).AsTask();
        var echoed = new byte[payload.Length];
        await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(Timeout);
        await writing;

        Assert.Equal(payload, echoed);
    }

    [SkippableFact]
    public async Task Connect_EndpointsChange_TrafficMovesToTheNewEndpoint()
    {
        await using var first = await StartPodsAsync("127.10.53.1");
        await using var second = await StartPodsAsync("127.10.53.2");
        var service = await CreateServiceAsync("moving", "ClusterIP");
        await WriteEndpointsAsync("moving", first.Ready);
        var address = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080);
        await WaitUntilServedAsync(address);

        await WriteEndpointsAsync("moving", second.Ready);

        await Eventually.Until(async () => (await HelloAsync(address)).StartsWith("127.10.53.2:", StringComparison.Ordinal), Timeout, "traffic moves to the new endpoint");
        Assert.All(await HellosAsync(address, 4), hello => Assert.StartsWith("127.10.53.2:", hello, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Connect_LastEndpointRemoved_IsRefused()
    {
        await using var pods = await StartPodsAsync("127.10.58.1");
        var service = await CreateServiceAsync("emptied", "ClusterIP");
        await WriteEndpointsAsync("emptied", pods.Ready);
        var address = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080);
        await WaitUntilServedAsync(address);

        // As kube-proxy's REJECT rule: once the proxy has seen no ready endpoint, it stops listening for the service.
        await WriteEndpointsAsync("emptied", []);
        await Eventually.Until(() => !cluster.Proxier.ListeningOn.Contains(address), Timeout, $"the proxy stops listening on {address}");

        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(Timeout);
        var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(address, timeout.Token));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [SkippableFact]
    public async Task Connect_OneBackendDown_OthersStillServeEveryConnection()
    {
        await using var pods = await StartPodsAsync("127.10.54.1", "127.10.54.2");
        var service = await CreateServiceAsync("survives", "ClusterIP");
        await WriteEndpointsAsync("survives", pods.Ready);
        var address = new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080);
        await WaitUntilServedAsync(address);

        // The node of one pod stops: its endpoint stays listed until someone notices.
        await pods.StopAsync(0);
        var answers = await HellosAsync(address, 4);

        Assert.All(answers, a => Assert.StartsWith("127.10.54.2:", a, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Connect_NodePort_ReachesPodsOnEveryNodeAddressAndLocalhost()
    {
        await using var pods = await StartPodsAsync("127.10.55.1");
        await cluster.ApiServer.Client.For<Node>().CreateAsync(new Node
        {
            Metadata = new ObjectMeta { Name = "proxy-test-node" },
            Status = new NodeStatus { Addresses = { new NodeAddress { Type = "InternalIP", Address = "127.10.56.1" } } },
        });
        var service = await CreateServiceAsync("np", "NodePort");
        await WriteEndpointsAsync("np", pods.Ready);
        var nodePort = service.Spec.Ports[0].NodePort;

        await WaitUntilServedAsync(new IPEndPoint(IPAddress.Parse("127.10.56.1"), nodePort));
        await WaitUntilServedAsync(new IPEndPoint(IPAddress.Loopback, nodePort));
        await WaitUntilServedAsync(new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080));
    }

    [SkippableFact]
    public async Task Create_LoadBalancer_GetsPoolAddressInStatusAndServesOnIt()
    {
        await using var pods = await StartPodsAsync("127.10.57.1", "127.10.57.2");
        var service = await CreateServiceAsync("lb", "LoadBalancer");
        await WriteEndpointsAsync("lb", pods.Ready);

        string? external = null;
        await Eventually.Until(async () =>
        {
            var current = await cluster.ApiServer.Client.For<Service>().GetAsync("default", "lb");
            external = current.Status?.LoadBalancer?.Ingress.FirstOrDefault()?.Ip;
            return external is not null;
        }, Timeout, "the proxy publishes a load-balancer address");
        var address = new IPEndPoint(IPAddress.Parse(external!), 8080);
        await WaitUntilServedAsync(address);
        var seen = (await HellosAsync(address, 4)).Select(hello => hello.Split(':')[0]).ToHashSet();

        Assert.StartsWith("127.241.9.", external, StringComparison.Ordinal);
        Assert.Equal(["127.10.57.1", "127.10.57.2"], seen.Order());
        Assert.NotEqual(service.Spec.ClusterIp, external);
        var allocated = await Eventually.Found(
            async () => (await cluster.ApiServer.Client.For<Event>().ListAsync(new ListRequest { Namespace = "default", FieldSelector = "involvedObject.name=lb" })).Items.FirstOrDefault(e => e.Reason == "IPAllocated"),
            Timeout, "an IPAllocated event on the Service");
        Assert.Equal(("Service", service.Metadata.Uid, $"Assigned IP [\"{external}\"]", "load-balancer-controller"),
            (allocated.InvolvedObject.Kind, allocated.InvolvedObject.Uid, allocated.Message, allocated.Source.Component));
    }

    [SkippableFact]
    public async Task ServiceAndEndpointsWritten_ProxyReconfiguresInTheTraceOfTheChange()
    {
        using var spans = new SpanRecorder();
        await using var pods = await StartPodsAsync("127.10.59.1");
        Service service;
        ActivityTraceId traceId;
        using (var change = spans.StartChange("apply service/traced"))
        {
            traceId = change.TraceId;
            service = await CreateServiceAsync("traced", "ClusterIP");
            await WriteEndpointsAsync("traced", pods.Ready);
        }

        await WaitUntilServedAsync(new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIp), 8080));

        // The rebuild that served the change is its child, or links it when one rebuild served several changes.
        await Eventually.Until(
            () => Task.FromResult(spans.Served(traceId, RebuildReconciler.ActivitySource, "sync proxy")),
            Timeout,
            "the proxy's reconfiguration is in the trace of the Service's write");
        Assert.Contains(spans.Ended, s => s.TraceId == traceId && s.DisplayName == "create services default/traced");
    }

    private async Task<Service> CreateServiceAsync(string name, string type) =>
        await cluster.ApiServer.Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new ServiceSpec
            {
                Type = type,
                Selector = { ["app"] = name },
                Ports = { new ServicePort { Name = "http", Port = 8080, TargetPort = Value.ForString("web") } },
            },
        });

    private async Task WriteEndpointsAsync(string name, IReadOnlyList<IPEndPoint> ready)
    {
        var client = cluster.ApiServer.Client.For<Endpoints>();
        var subset = new EndpointSubset
        {
            Addresses = { ready.Select(e => new EndpointAddress { Ip = e.Address.ToString(), NodeName = "node1" }) },
            Ports = { new EndpointPort { Name = "http", Port = ready.Count > 0 ? ready[0].Port : 80, Protocol = "TCP" } },
        };
        var endpoints = new Endpoints { Metadata = new ObjectMeta { Name = name, Namespace = "default" } };
        if (ready.Count > 0)
        {
            endpoints.Subsets.Add(subset);
        }

        try
        {
            var existing = await client.GetAsync("default", name);
            endpoints.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.UpdateAsync(endpoints);
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            await client.CreateAsync(endpoints);
        }
    }

    private static async Task<string> HelloAsync(IPEndPoint address)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(address, timeout.Token);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        return await reader.ReadLineAsync(timeout.Token) ?? "";
    }

    /// <summary>One connection after another, each greeted with the address of the pod that took it.</summary>
    private static async Task<List<string>> HellosAsync(IPEndPoint address, int count)
    {
        var hellos = new List<string>();
        for (var i = 0; i < count; i++)
        {
            hellos.Add(await HelloAsync(address));
        }

        return hellos;
    }

    private static Task WaitUntilServedAsync(IPEndPoint address) =>
        Eventually.Until(async () =>
        {
            try
            {
                return (await HelloAsync(address)).Length > 0;
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                return false;
            }
        }, Timeout, $"{address} is served");

    private static async Task<PodGroup> StartPodsAsync(params string[] ips)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Get(IPAddress.Parse(ips[0]));
            var started = new List<EchoBackend>();
            try
            {
                foreach (var ip in ips)
                {
                    started.Add(new EchoBackend(new IPEndPoint(IPAddress.Parse(ip), port)));
                }

                return new PodGroup(started);
            }
            catch (SocketException) when (attempt < 10)
            {
                foreach (var backend in started)
                {
                    await backend.DisposeAsync();
                }
            }
        }
    }

    private sealed class PodGroup(List<EchoBackend> backends) : IAsyncDisposable
    {
        public IReadOnlyList<IPEndPoint> Ready { get; } = backends.Select(b => b.Endpoint).ToList();

        public async Task StopAsync(int index) => await backends[index].DisposeAsync();

        public async ValueTask DisposeAsync()
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }
}
