using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Namespaces;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class NamespaceSyncTests
{
    private const string Ns = "retired";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_TerminatingNamespaceWithContent_DeletesItAndReportsWhatRemains()
    {
        _t.Add(Terminating());
        _t.Add(new ConfigMap { Metadata = new ObjectMeta { Namespace = Ns, Name = "settings" } });
        _t.Add(new Pod { Metadata = new ObjectMeta { Namespace = Ns, Name = "held", Finalizers = { "example.com/hold" } }, Spec = new PodSpec() });
        _t.Add(new ConfigMap { Metadata = new ObjectMeta { Namespace = "elsewhere", Name = "settings" } });
        using var controller = new NamespaceController(_t.Context);

        await controller.SyncAsync(Ns, default);

        Assert.Equal(["delete configmaps retired/settings", "delete pods retired/held", "update namespaces/status retired"], _t.TakeWrites().Order(StringComparer.Ordinal));
        Assert.NotNull(_t.Api.Get<Pod>(Ns, "held")!.Metadata.DeletionTimestamp);
        Assert.NotNull(_t.Api.Get<ConfigMap>("elsewhere", "settings"));
        var conditions = _t.Api.Get<Namespace>("", Ns)!.Status.Conditions.ToDictionary(c => c.Type);
        Assert.Equal(("True", "Some resources are remaining: pods has 1 resource instances"), (conditions["NamespaceContentRemaining"].Status, conditions["NamespaceContentRemaining"].Message));
        Assert.Equal(("True", "SomeFinalizersRemain"), (conditions["NamespaceFinalizersRemaining"].Status, conditions["NamespaceFinalizersRemaining"].Reason));
        Assert.Contains("kubernetes", _t.Api.Get<Namespace>("", Ns)!.Spec.Finalizers);
    }

    [Fact]
    public async Task SyncAsync_TerminatingNamespaceEmpty_ReleasesTheKubernetesFinalizer()
    {
        _t.Add(Terminating());
        using var controller = new NamespaceController(_t.Context);

        await controller.SyncAsync(Ns, default);

        Assert.Equal(["update namespaces/status retired", "update namespaces retired"], _t.TakeWrites());
        Assert.Null(_t.Api.Get<Namespace>("", Ns));
    }

    [Fact]
    public async Task SyncAsync_ActiveNamespace_DeletesNothing()
    {
        _t.Add(new Namespace { Metadata = new ObjectMeta { Name = Ns }, Spec = new NamespaceSpec { Finalizers = { "kubernetes" } } });
        _t.Add(new ConfigMap { Metadata = new ObjectMeta { Namespace = Ns, Name = "settings" } });
        using var controller = new NamespaceController(_t.Context);

        await controller.SyncAsync(Ns, default);

        Assert.Empty(_t.TakeWrites());
    }

    private Namespace Terminating() => new()
    {
        Metadata = new ObjectMeta { Name = Ns, DeletionTimestamp = Timestamp.FromDateTimeOffset(_t.Now) },
        Spec = new NamespaceSpec { Finalizers = { "kubernetes" } },
        Status = new NamespaceStatus { Phase = "Terminating" },
    };
}
