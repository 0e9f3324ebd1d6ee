using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Endpoint;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class EndpointsSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/web";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_ServiceWithPods_WritesReadyAndNotReadyAddressesOfLivePodsWithTheirPort()
    {
        _t.Add(NewService());
        _t.Add(ServedPod("ready", "10.0.0.2", "Running", ready: true));
        _t.Add(ServedPod("starting", "10.0.0.3", "Running"));
        var terminating = ServedPod("terminating", "10.0.0.4", "Running", ready: true);
        terminating.Metadata.DeletionTimestamp = Timestamp.FromDateTimeOffset(_t.Now);
        _t.Add(terminating);
        _t.Add(ServedPod("done", "10.0.0.5", "Succeeded"));
        _t.Add(ServedPod("unassigned", "", "Pending"));
        var other = ServedPod("other", "10.0.0.6", "Running", ready: true);
        other.Metadata.Labels["app"] = "db";
        _t.Add(other);
        using var controller = new EndpointsController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create endpoints"], _t.TakeWrites());
        var subset = Assert.Single(_t.Api.Get<Endpoints>(Ns, "web")!.Subsets);
        Assert.Equal(["10.0.0.2"], subset.Addresses.Select(a => a.Ip));
        Assert.Equal(["10.0.0.3"], subset.NotReadyAddresses.Select(a => a.Ip));
        Assert.Equal(("ready", "Pod"), (subset.Addresses[0].TargetRef.Name, subset.Addresses[0].TargetRef.Kind));
        var port = Assert.Single(subset.Ports);
        Assert.Equal(("http", 8080, "TCP"), (port.Name, port.Port, port.Protocol));
    }

    [Fact]
    public async Task SyncAsync_PodWithoutTheNamedTargetPort_IsLeftOut()
    {
        _t.Add(NewService());
        _t.Add(ServedPod("with-port", "10.0.0.2", "Running", ready: true));
        var without = ServedPod("without-port", "10.0.0.3", "Running", ready: true);
        without.Spec.Containers[0].Ports.Clear();
        _t.Add(without);
        using var controller = new EndpointsController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["10.0.0.2"], Assert.Single(_t.Api.Get<Endpoints>(Ns, "web")!.Subsets).Addresses.Select(a => a.Ip));
    }

    [Fact]
    public async Task SyncAsync_EndpointsUpToDate_WritesNothing()
    {
        _t.Add(NewService());
        _t.Add(ServedPod("ready", "10.0.0.2", "Running", ready: true));
        using var controller = new EndpointsController(_t.Context);
        await controller.SyncAsync(Key, default);
        _t.Observe<Endpoints>();
        _t.TakeWrites();

        await controller.SyncAsync(Key, default);

        Assert.Empty(_t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_PodBecameReady_MovesItToAddresses()
    {
        _t.Add(NewService());
        var pod = _t.Add(ServedPod("web-1", "10.0.0.2", "Running"));
        using var controller = new EndpointsController(_t.Context);
        await controller.SyncAsync(Key, default);
        _t.Observe<Endpoints>();
        WithPhase(pod, "Running", ready: true).Status.PodIp = "10.0.0.2";
        _t.Api.Put(pod);
        _t.Observe<Pod>();
        _t.TakeWrites();

        await controller.SyncAsync(Key, default);

        Assert.Equal(["update endpoints shop/web"], _t.TakeWrites());
        Assert.Equal(["10.0.0.2"], Assert.Single(_t.Api.Get<Endpoints>(Ns, "web")!.Subsets).Addresses.Select(a => a.Ip));
    }

    [Fact]
    public async Task SyncAsync_ServiceGone_DeletesItsEndpoints()
    {
        _t.Api.Seed(new Endpoints { Metadata = new ObjectMeta { Namespace = Ns, Name = "web" } });
        using var controller = new EndpointsController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["delete endpoints shop/web"], _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_ServiceWithoutSelector_LeavesItsEndpointsToWhoeverWritesThem()
    {
        var service = NewService();
        service.Spec.Selector.Clear();
        _t.Add(service);
        _t.Add(ServedPod("ready", "10.0.0.2", "Running", ready: true));
        using var controller = new EndpointsController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Empty(_t.TakeWrites());
    }

    private static Service NewService() => new()
    {
        Metadata = new ObjectMeta { Namespace = Ns, Name = "web" },
        Spec = new ServiceSpec
        {
            Selector = { ["app"] = "web" },
            Ports = { new ServicePort { Name = "http", Port = 80, TargetPort = Value.ForString("http") } },
        },
    };

    private static Pod ServedPod(string name, string ip, string phase, bool ready = false)
    {
        var pod = WithPhase(TestObjects.Pod(Ns, name, "web", "node1"), phase, ready);
        pod.Spec.Containers[0].Ports.Add(new ContainerPort { Name = "http", ContainerPort_ = 8080 });
        pod.Status.PodIp = ip;
        return pod;
    }
}
