using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Registry.Allocation;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Tests.Registry.Allocation;

/// <summary>Cluster IP and node port allocation through the real api-server over redis-server.</summary>
public sealed class ServiceAllocationTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private ApiServerHost _server = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _server = await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [SkippableFact]
    public async Task Create_ClusterIpService_GetsAddressFromServiceRange()
    {
        var created = await Services.CreateAsync(NewService("ex-svc"));

        Assert.True(AllocationRange.ParseCidr("127.96.0.0/16").Contains(created.Spec.ClusterIp), created.Spec.ClusterIp);
        Assert.Equal([created.Spec.ClusterIp], created.Spec.ClusterIps);
        var stored = await Services.GetAsync("default", "ex-svc");
        Assert.Equal(created.Spec.ClusterIp, stored.Spec.ClusterIp);
    }

    [SkippableFact]
    public async Task Create_ManyServicesConcurrently_GetDistinctAddresses()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Services.CreateAsync(NewService($"svc-{i}"))));

        Assert.Equal(40, created.Select(s => s.Spec.ClusterIp).Distinct().Count());
        var hash = await Database.HashGetAllAsync("/registry/ranges/serviceips");
        Assert.Equal(40, hash.Length);
    }

    [SkippableFact]
    public async Task Create_RequestedFreeClusterIp_IsHonoured()
    {
        var service = NewService("fixed");
        service.Spec.ClusterIp = "127.96.1.10";

        var created = await Services.CreateAsync(service);

        Assert.Equal("127.96.1.10", created.Spec.ClusterIp);
    }

    [SkippableFact]
    public async Task Create_RequestedClusterIpTaken_IsRefusedAndStoresNothing()
    {
        var first = NewService("first");
        first.Spec.ClusterIp = "127.96.1.11";
        await Services.CreateAsync(first);
        var second = NewService("second");
        second.Spec.ClusterIp = "127.96.1.11";

        var error = await Assert.ThrowsAsync<RpcException>(() => Services.CreateAsync(second));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("spec.clusterIPs: Invalid value: [\"127.96.1.11\"]: failed to allocate IP 127.96.1.11: provided IP is already allocated", error.Status.Detail);
        var notFound = await Assert.ThrowsAsync<RpcException>(() => Services.GetAsync("default", "second"));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
    }

    [SkippableFact]
    public async Task Create_RequestedClusterIpOutOfRange_IsRefused()
    {
        var service = NewService("outside");
        service.Spec.ClusterIp = "127.5.0.1";

        var error = await Assert.ThrowsAsync<RpcException>(() => Services.CreateAsync(service));

        Assert.Contains("spec.clusterIPs", error.Status.Detail);
        Assert.Contains("is not in the valid range. The range of valid IPs is 127.96.0.0/16", error.Status.Detail);
    }

    [SkippableFact]
    public async Task Delete_Service_FreesItsClusterIpForReuse()
    {
        var service = NewService("reused");
        service.Spec.ClusterIp = "127.96.2.2";
        await Services.CreateAsync(service);

        await Services.DeleteAsync(new DeleteRequest { Namespace = "default", Name = "reused" });
        var again = NewService("reused-again");
        again.Spec.ClusterIp = "127.96.2.2";
        var created = await Services.CreateAsync(again);

        Assert.Equal("127.96.2.2", created.Spec.ClusterIp);
        Assert.Equal("default/reused-again/" + created.Metadata.Uid, (string?)await Database.HashGetAsync("/registry/ranges/serviceips", "127.96.2.2"));
    }

    [SkippableFact]
    public async Task Create_HeadlessAndExternalName_AllocateNoAddress()
    {
        var headless = NewService("nginx");
        headless.Spec.ClusterIp = "None";
        var external = new Service
        {
            Metadata = new ObjectMeta { Name = "my-external-service", Namespace = "default" },
            Spec = new ServiceSpec { Type = "ExternalName", ExternalName = "external.example.com" },
        };

        var createdHeadless = await Services.CreateAsync(headless);
        var createdExternal = await Services.CreateAsync(external);

        Assert.Equal("None", createdHeadless.Spec.ClusterIp);
        Assert.Equal(["None"], createdHeadless.Spec.ClusterIps);
        Assert.Equal("", createdExternal.Spec.ClusterIp);
        Assert.Equal(0, await Database.HashLengthAsync("/registry/ranges/serviceips"));
    }

    [SkippableFact]
    public async Task Create_NodePortService_HonoursRequestedPortAndRefusesItTwice()
    {
        var created = await Services.CreateAsync(NewNodePortService("ex-svc-nodeport", 30080));
        var error = await Assert.ThrowsAsync<RpcException>(() => Services.CreateAsync(NewNodePortService("other", 30080)));

        Assert.Equal(30080, created.Spec.Ports[0].NodePort);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated", error.Status.Detail);
        // The refused Service's cluster IP went back to the pool.
        Assert.Equal(1, await Database.HashLengthAsync("/registry/ranges/serviceips"));
    }

    [SkippableFact]
    public async Task Create_LoadBalancerWithoutNodePort_GetsOneInRange()
    {
        var service = NewService("ex-svc-lb");
        service.Spec.Type = "LoadBalancer";

        var created = await Services.CreateAsync(service);

        Assert.InRange(created.Spec.Ports[0].NodePort, 30000, 32767);
    }

    [SkippableFact]
    public async Task Create_NodePortOutOfRange_IsRefused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Services.CreateAsync(NewNodePortService("low", 8080)));

        Assert.Contains("spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767", error.Status.Detail);
    }

    [SkippableFact]
    public async Task Delete_NodePortService_FreesItsNodePort()
    {
        await Services.CreateAsync(NewNodePortService("a", 30090));
        await Services.DeleteAsync(new DeleteRequest { Namespace = "default", Name = "a" });

        var created = await Services.CreateAsync(NewNodePortService("b", 30090));

        Assert.Equal(30090, created.Spec.Ports[0].NodePort);
    }

    [SkippableFact]
    public async Task Update_WithoutAllocatedValues_KeepsClusterIpAndNodePort()
    {
        var created = await Services.CreateAsync(NewNodePortService("keep", 0));
        var reapplied = NewNodePortService("keep", 0);

        var updated = await Services.UpdateAsync(reapplied);

        Assert.Equal(created.Spec.ClusterIp, updated.Spec.ClusterIp);
        Assert.Equal(created.Spec.Ports[0].NodePort, updated.Spec.Ports[0].NodePort);
    }

    [SkippableFact]
    public async Task Update_NodePortToClusterIp_ReleasesTheNodePort()
    {
        await Services.CreateAsync(NewNodePortService("shrink", 30100));
        var asClusterIp = NewService("shrink");

        await Services.UpdateAsync(asClusterIp);

        Assert.False(await Database.HashExistsAsync("/registry/ranges/servicenodeports", "30100"));
        Assert.Equal(30100, (await Services.CreateAsync(NewNodePortService("grow", 30100))).Spec.Ports[0].NodePort);
    }

    [SkippableFact]
    public async Task Restart_ApiServer_KeepsAllocationsAndRepairsLeaks()
    {
        var service = NewService("survivor");
        service.Spec.ClusterIp = "127.96.3.3";
        await Services.CreateAsync(service);
        // A crash between allocating and storing leaves an allocation without a Service.
        await Database.HashSetAsync("/registry/ranges/serviceips", "127.96.3.4", "default/ghost/0000");

        await _server.DisposeAsync();
        _server = await StartServerAsync();
        var clash = NewService("clash");
        clash.Spec.ClusterIp = "127.96.3.3";
        var error = await Assert.ThrowsAsync<RpcException>(() => Services.CreateAsync(clash));
        var leaked = NewService("leaked");
        leaked.Spec.ClusterIp = "127.96.3.4";
        var created = await Services.CreateAsync(leaked);

        Assert.Contains("provided IP is already allocated", error.Status.Detail);
        Assert.Equal("127.96.3.4", created.Spec.ClusterIp);
    }

    [SkippableFact]
    public async Task Restart_AllocationHashLost_IsRebuiltFromServices()
    {
        var created = await Services.CreateAsync(NewNodePortService("rebuilt", 30200));
        await Database.KeyDeleteAsync("/registry/ranges/serviceips");
        await Database.KeyDeleteAsync("/registry/ranges/servicenodeports");

        await _server.DisposeAsync();
        _server = await StartServerAsync();

        Assert.Equal(ServiceAllocators.Owner(created.Metadata), (string?)await Database.HashGetAsync("/registry/ranges/serviceips", created.Spec.ClusterIp));
        Assert.True(await Database.HashExistsAsync("/registry/ranges/servicenodeports", "30200"));
    }

    private KubeMesh.Client.ResourceClient<Service> Services => _server.Client.For<Service>();

    private IDatabase Database => _server.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    /// <summary>An api-server over this test's redis-server; a restarted one finds the same keys.</summary>
    private Task<ApiServerHost> StartServerAsync() =>
        ApiServerHost.StartAsync(_redis.ConnectionString, new Dictionary<string, string?> { ["Store:KeyPrefix"] = "/registry" });

    private static Service NewService(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec
        {
            Selector = { ["run"] = name },
            Ports = { new ServicePort { Port = 8080, TargetPort = Value.ForNumber(80) } },
        },
    };

    private static Service NewNodePortService(string name, int nodePort)
    {
        var service = NewService(name);
        service.Spec.Type = "NodePort";
        service.Spec.Ports[0].NodePort = nodePort;
        return service;
    }
}
