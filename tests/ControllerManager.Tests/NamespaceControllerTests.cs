using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Deployments;
using KubeMesh.ControllerManager.Controllers.Endpoint;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using KubeMesh.ControllerManager.Controllers.Namespaces;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;

namespace KubeMesh.ControllerManager.Tests;

public sealed class NamespaceControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    [SkippableFact]
    public async Task Sync_TerminatingNamespace_DeletesAllContentThenNamespace()
    {
        await using var harness = await StartAsync();
        var ns = harness.Namespace;
        await api.Client.For<Deployment>().CreateAsync(TestObjects.Deployment(ns, "web", 2, "web"));
        await Eventually.Until(async () => (await ListAsync<Pod>(ns)).Count == 2, Timeout, "the deployment's pods exist");
        await api.Client.For<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "settings" }, Data = { ["k"] = "v" } });
        await api.Client.For<Secret>().CreateAsync(new Secret { Metadata = new ObjectMeta { Namespace = ns, Name = "token" }, StringData = { ["k"] = "v" } });
        await api.Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "web" },
            Spec = new ServiceSpec { Selector = { ["app"] = "web" }, Ports = { new ServicePort { Port = 80 } } },
        });
        // A pod on a node is deleted gracefully: it stays, Terminating, until its kubelet reports it stopped.
        var running = TestObjects.Pod(ns, "running", "solo", nodeName: "node-a");
        running.Spec.TerminationGracePeriodSeconds = 2;
        await api.Client.For<Pod>().CreateAsync(running);

        var terminating = await api.Client.For<Namespace>().DeleteAsync(new DeleteRequest { Name = ns });
        Assert.Equal("Terminating", terminating.Status.Phase);

        await Eventually.Until(async () => (await api.Client.For<Pod>().GetAsync(ns, "running")).Metadata.DeletionTimestamp is not null, Timeout, "the running pod is being deleted");
        Assert.True(await ExistsAsync(ns), "the namespace waits for its running pod");
        await api.Client.For<Pod>().DeleteAsync(new DeleteRequest { Namespace = ns, Name = "running", GracePeriodSeconds = 0 });

        await Eventually.Until(async () => !await ExistsAsync(ns), Timeout, "the namespace is removed");
        Assert.Empty(await ListAsync<Pod>(ns));
        Assert.Empty(await ListAsync<Deployment>(ns));
        Assert.Empty(await ListAsync<ReplicaSet>(ns));
        Assert.Empty(await ListAsync<ConfigMap>(ns));
        Assert.Empty(await ListAsync<Secret>(ns));
        Assert.Empty(await ListAsync<Service>(ns));
        Assert.Empty(await ListAsync<Endpoints>(ns));
    }

    [SkippableFact]
    public async Task Sync_ContentHeldByFinalizer_KeepsNamespaceTerminatingAndReportsIt()
    {
        await using var harness = await StartAsync();
        var ns = harness.Namespace;
        var held = new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "held", Finalizers = { "kubemesh.test/hold" } } };
        await api.Client.For<ConfigMap>().CreateAsync(held);
        await api.Client.For<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "free" } });

        await api.Client.For<Namespace>().DeleteAsync(new DeleteRequest { Name = ns });

        await Eventually.Until(async () => Condition(await GetAsync(ns), "NamespaceFinalizersRemaining")?.Status == "True", Timeout, "the namespace reports the held finalizer");
        var reported = await GetAsync(ns);
        Assert.Equal("Terminating", reported.Status.Phase);
        Assert.Contains("kubemesh.test/hold in 1 resource instances", Condition(reported, "NamespaceFinalizersRemaining")!.Message, StringComparison.Ordinal);
        Assert.Equal("SomeResourcesRemain", Condition(reported, "NamespaceContentRemaining")!.Reason);
        Assert.Equal("False", Condition(reported, "NamespaceDeletionContentFailure")!.Status);
        Assert.Equal(["held"], (await ListAsync<ConfigMap>(ns)).Select(c => c.Metadata.Name));
        Assert.Contains("kubernetes", reported.Spec.Finalizers);

        var marked = await api.Client.For<ConfigMap>().GetAsync(ns, "held");
        marked.Metadata.Finalizers.Clear();
        await api.Client.For<ConfigMap>().UpdateAsync(marked);

        await Eventually.Until(async () => !await ExistsAsync(ns), Timeout, "the namespace is removed once the finalizer is released");
    }

    private Task<ControllerHarness> StartAsync() => ControllerHarness.StartAsync(
        api,
        null,
        c => new NamespaceController(c),
        c => new DeploymentController(c),
        c => new ReplicaSetController(c),
        c => new EndpointsController(c),
        c => new GarbageCollectorController(c));

    private static Condition? Condition(Namespace ns, string type) => ns.Status.Conditions.FirstOrDefault(c => c.Type == type);

    private Task<Namespace> GetAsync(string ns) => api.Client.For<Namespace>().GetAsync("", ns);

    private async Task<bool> ExistsAsync(string ns)
    {
        try
        {
            await GetAsync(ns);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string ns)
        where T : class, Google.Protobuf.IMessage<T>, new() =>
        (await api.Client.For<T>().ListAsync(new ListRequest { Namespace = ns })).Items;
}
