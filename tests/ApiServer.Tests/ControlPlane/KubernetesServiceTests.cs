using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.ControlPlane;

namespace KubeMesh.ApiServer.Tests.ControlPlane;

/// <summary>
/// default/kubernetes as kube-apiserver keeps it: created at the service range's first address, its endpoints the
/// replicas whose leases are live, a replica that stops cleanly leaving at once and a silent one when its lease expires.
/// </summary>
public sealed class KubernetesServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoReplicas_PublishTheServiceAndTheirEndpoints_AndLeaveThemAsTheyGo()
    {
        await using var store = new RedisServer();
        await store.StartAsync();
        var prefix = $"/test-{Guid.NewGuid():N}";
        var (restA, restB) = (FreePort.Get(), FreePort.Get());
        await using var a = await ApiServerHost.StartAsync(store.ConnectionString, Settings(prefix, restA));
        var b = await ApiServerHost.StartAsync(store.ConnectionString, Settings(prefix, restB));
        var bRunning = true;
        try
        {
            var service = await Eventually.Found(() => TryGetAsync(() => a.Client.For<Service>().GetAsync("default", "kubernetes")), Timeout, "default/kubernetes exists");
            Assert.Equal("127.97.0.1", service.Spec.ClusterIp);
            Assert.Equal("ClusterIP", service.Spec.Type);
            var port = Assert.Single(service.Spec.Ports);
            Assert.Equal(("https", 443, "TCP"), (port.Name, port.Port, port.Protocol));
            Assert.Empty(service.Spec.Selector);
            Assert.Equal("apiserver", service.Metadata.Labels["component"]);

            await Eventually.Until(async () => await EndpointsAsync(a) == $"127.0.0.1:{Math.Min(restA, restB)},127.0.0.1:{Math.Max(restA, restB)}",
                Timeout, "both replicas are endpoints");
            var leases = await a.Client.For<Lease>().ListAsync(new ListRequest { Namespace = "kube-system", LabelSelector = "apiserver.kubernetes.io/identity=kube-apiserver" });
            Assert.Equal(2, leases.Items.Count);

            // A clean stop takes the replica out at once, well before its 5 s lease would expire.
            var stopped = DateTime.UtcNow;
            bRunning = false;
            await b.DisposeAsync();
            Assert.Equal($"127.0.0.1:{restA}", await EndpointsAsync(a));
            Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(20));
            leases = await a.Client.For<Lease>().ListAsync(new ListRequest { Namespace = "kube-system", LabelSelector = "apiserver.kubernetes.io/identity=kube-apiserver" });
            Assert.Equal(KubernetesServiceReconciler.LeaseNameOf(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, restA)), Assert.Single(leases.Items).Metadata.Name);
        }
        finally
        {
            if (bRunning)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AReplicaThatStopsRenewing_DropsOutWhenItsLeaseExpires()
    {
        await using var store = new RedisServer();
        await store.StartAsync();
        var rest = FreePort.Get();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString, Settings($"/test-{Guid.NewGuid():N}", rest));
        await Eventually.Until(async () => await EndpointsAsync(api) == $"127.0.0.1:{rest}", Timeout, "the replica is an endpoint");

        // A replica that died without a word: its lease, renewed just now, and never again.
        var gone = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1);
        await api.Client.For<Lease>().CreateAsync(new Lease
        {
            Metadata = new ObjectMeta
            {
                Namespace = "kube-system",
                Name = KubernetesServiceReconciler.LeaseNameOf(gone),
                Labels = { [KubernetesServiceReconciler.IdentityLabel] = KubernetesServiceReconciler.IdentityValue },
                Annotations = { [KubernetesServiceReconciler.AddressAnnotation] = gone.ToString() },
            },
            Spec = new LeaseSpec { HolderIdentity = "gone", LeaseDurationSeconds = 3, RenewTime = Timestamp.FromDateTime(DateTime.UtcNow) },
        });
        await Eventually.Until(async () => await EndpointsAsync(api) == $"127.0.0.1:1,127.0.0.1:{rest}", Timeout, "the silent replica is an endpoint while its lease lasts");
        await Eventually.Until(async () => await EndpointsAsync(api) == $"127.0.0.1:{rest}", Timeout, "the silent replica drops out once its lease expired");
    }

    [Fact]
    public async Task AnUnknownReconcilerType_IsRefusedNamingTheSetting()
    {
        await using var store = new RedisServer();
        await store.StartAsync();
        var settings = Settings($"/test-{Guid.NewGuid():N}", FreePort.Get());
        settings["ApiServer:EndpointReconcilerType"] = "master-count";
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await ApiServerHost.StartAsync(store.ConnectionString, settings)).DisposeAsync());
        Assert.Contains("ApiServer:EndpointReconcilerType", error.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(string prefix, int restPort) => new()
    {
        ["Store:KeyPrefix"] = prefix,
        ["Kestrel:Endpoints:Rest:Url"] = $"http://127.0.0.1:{restPort}",
        ["Kestrel:Endpoints:Rest:Protocols"] = "Http1AndHttp2",
        ["ApiServer:ServiceClusterIpRange"] = "127.97.0.0/16",
        ["ApiServer:EndpointReconcilerType"] = "lease",
        ["ApiServer:EndpointReconcileInterval"] = "00:00:00.250",
        ["ApiServer:EndpointLeaseTtl"] = "00:00:05",
    };

    /// <summary>The endpoints of default/kubernetes as sorted "ip:port" pairs, comma-separated; "" when there are none.</summary>
    private static async Task<string> EndpointsAsync(ApiServerHost api)
    {
        var endpoints = await TryGetAsync(() => api.Client.For<Endpoints>().GetAsync("default", "kubernetes"));
        return endpoints is null
            ? ""
            : string.Join(',', endpoints.Subsets.SelectMany(s => s.Addresses.SelectMany(a => s.Ports.Select(p => $"{a.Ip}:{p.Port}"))).Order(StringComparer.Ordinal));
    }

    private static async Task<T?> TryGetAsync<T>(Func<Task<T>> get)
        where T : class
    {
        try
        {
            return await get();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
