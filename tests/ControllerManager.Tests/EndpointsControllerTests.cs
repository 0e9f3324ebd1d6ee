using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Endpoint;

namespace KubeMesh.ControllerManager.Tests;

public sealed class EndpointsControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Sync_ServiceWithSelector_ListsReadyAndNotReadyPodsPerResolvedPort()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new EndpointsController(c));
        var ns = harness.Namespace;
        await api.Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "web" },
            Spec = new ServiceSpec
            {
                Selector = { ["app"] = "web" },
                Ports =
                {
                    new ServicePort { Name = "http", Port = 80, TargetPort = Value.ForString("http") },
                    new ServicePort { Name = "metrics", Port = 9090, TargetPort = Value.ForNumber(9090) },
                },
            },
        });
        await CreatePodAsync(ns, "ready", "10.244.1.1", ready: true, namedPort: true);
        await CreatePodAsync(ns, "starting", "10.244.1.2", ready: false, namedPort: true);
        await CreatePodAsync(ns, "unnamed", "10.244.1.3", ready: true, namedPort: false);
        await CreatePodAsync(ns, "no-ip", "", ready: false, namedPort: true);

        await Eventually.Until(async () =>
        {
            try
            {
                var e = await api.Client.For<Endpoints>().GetAsync(ns, "web");
                return e.Subsets.Sum(s => s.Addresses.Count + s.NotReadyAddresses.Count) == 3;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, Timeout, "the endpoints list three pods");

        var endpoints = await api.Client.For<Endpoints>().GetAsync(ns, "web");
        var both = Assert.Single(endpoints.Subsets, s => s.Ports.Count == 2);
        Assert.Equal([("http", 8080), ("metrics", 9090)], both.Ports.Select(p => (p.Name, p.Port)).Order());
        Assert.Equal("10.244.1.1", Assert.Single(both.Addresses).Ip);
        Assert.Equal(("10.244.1.2", "starting"), (Assert.Single(both.NotReadyAddresses).Ip, both.NotReadyAddresses[0].TargetRef.Name));
        var metricsOnly = Assert.Single(endpoints.Subsets, s => s.Ports.Count == 1);
        Assert.Equal(("metrics", 9090), (metricsOnly.Ports[0].Name, metricsOnly.Ports[0].Port));
        Assert.Equal("10.244.1.3", Assert.Single(metricsOnly.Addresses).Ip);

        await api.Client.For<Pod>().DeleteAsync(ns, "ready");
        await Eventually.Until(async () => (await api.Client.For<Endpoints>().GetAsync(ns, "web")).Subsets.All(s => s.Addresses.All(a => a.Ip != "10.244.1.1")), Timeout, "the deleted pod leaves the endpoints");
    }

    private async Task CreatePodAsync(string ns, string name, string ip, bool ready, bool namedPort)
    {
        var pod = TestObjects.Pod(ns, name, "web");
        if (namedPort)
        {
            pod.Spec.Containers[0].Ports.Add(new ContainerPort { Name = "http", ContainerPort_ = 8080 });
        }

        pod = await api.Client.For<Pod>().CreateAsync(pod);
        pod.Status.Phase = "Running";
        pod.Status.PodIp = ip;
        pod.Status.Conditions.Add(new Condition { Type = "Ready", Status = ready ? "True" : "False" });
        await api.Client.For<Pod>().UpdateStatusAsync(pod);
    }
}
