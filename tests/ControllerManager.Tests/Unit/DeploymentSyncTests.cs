using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ControllerManager.Controllers.Deployments;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>
/// Between syncs the test plays the informers catching up and the ReplicaSet controller and kubelets doing their
/// part: every ReplicaSet's pods exist and are available, so each sync takes exactly one step.
/// </summary>
public sealed class DeploymentSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/web";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_NewDeployment_CreatesAReplicaSetForItsTemplateAtFullScale()
    {
        var d = _t.Add(TestObjects.Deployment(Ns, "web", 3, "web", "web:1"));
        using var controller = new DeploymentController(_t.Context);

        await controller.SyncAsync(Key, default);

        var rs = Assert.Single(_t.Api.List<ReplicaSet>());
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels["pod-template-hash"]);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal(("1", "3", "4"), (rs.Metadata.Annotations["deployment.kubernetes.io/revision"], rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"], rs.Metadata.Annotations["deployment.kubernetes.io/max-replicas"]));
        Assert.Equal(d.Metadata.Uid, Assert.Single(rs.Metadata.OwnerReferences).Uid);
        Assert.Equal("1", _t.Api.Get<Deployment>(Ns, "web")!.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Contains("ScalingReplicaSet", _t.Api.EventReasons);
    }

    [Fact]
    public async Task SyncAsync_TemplateChanged_RollsOutOnePodAtATimeWithinSurgeAndUnavailability()
    {
        using var controller = await RolledOutAsync(TestObjects.Deployment(Ns, "web", 3, "web", "web:1"));
        var old = Assert.Single(_t.Api.List<ReplicaSet>()).Metadata.Name;

        Change(d =>
        {
            d.Spec.Template.Spec.Containers[0].Image = "web:2";
            d.Metadata.Generation++;
        });

        var steps = new List<(int Old, int New)>();
        for (var i = 0; i < 10 && steps.LastOrDefault() != (0, 3); i++)
        {
            await controller.SyncAsync(Key, default);
            var replicaSets = _t.Api.List<ReplicaSet>();
            var next = replicaSets.Single(rs => rs.Metadata.Name != old);
            steps.Add((replicaSets.Single(rs => rs.Metadata.Name == old).Spec.Replicas, next.Spec.Replicas));
            Settle();
        }

        // maxSurge 25% of 3 rounds up to 1, maxUnavailable rounds down to 0: never more than 4 pods, never fewer than 3 available.
        Assert.Equal([(3, 1), (2, 1), (2, 2), (1, 2), (1, 3), (0, 3)], steps);
        await controller.SyncAsync(Key, default);
        var status = _t.Api.Get<Deployment>(Ns, "web")!.Status;
        Assert.Equal((3, 3, 3, 2L), (status.Replicas, status.UpdatedReplicas, status.AvailableReplicas, status.ObservedGeneration));
        Assert.Equal("NewReplicaSetAvailable", status.Conditions.Single(c => c.Type == "Progressing").Reason);
        Assert.Equal("2", _t.Api.Get<Deployment>(Ns, "web")!.Metadata.Annotations["deployment.kubernetes.io/revision"]);
    }

    [Fact]
    public async Task SyncAsync_Recreate_ScalesTheOldDownAndWaitsForItsPodsToGoBeforeCreatingTheNew()
    {
        var spec = TestObjects.Deployment(Ns, "web", 2, "web", "web:1");
        spec.Spec.Strategy = new DeploymentStrategy { Type = "Recreate" };
        using var controller = await RolledOutAsync(spec);
        var old = Assert.Single(_t.Api.List<ReplicaSet>());
        var pod = _t.Add(OwnedPod(old, "web-old", "web", "Running", ready: true));
        Change(d => d.Spec.Template.Spec.Containers[0].Image = "web:2");
        _t.TakeWrites();

        await controller.SyncAsync(Key, default);
        Assert.Equal(0, _t.Api.Get<ReplicaSet>(Ns, old.Metadata.Name)!.Spec.Replicas);
        Assert.Single(_t.Api.List<ReplicaSet>());

        Settle();
        await controller.SyncAsync(Key, default);
        Assert.Single(_t.Api.List<ReplicaSet>());

        _t.Api.Put(WithPhase(pod, "Succeeded"));
        _t.Observe<Pod>();
        Settle();
        await controller.SyncAsync(Key, default);

        var created = _t.Api.List<ReplicaSet>().Single(rs => rs.Metadata.Name != old.Metadata.Name);
        Assert.Equal(2, created.Spec.Replicas);
        Assert.Equal("web:2", created.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task SyncAsync_Paused_ScalesWithoutRollingOut()
    {
        using var controller = await RolledOutAsync(TestObjects.Deployment(Ns, "web", 2, "web", "web:1"));
        Change(d =>
        {
            d.Spec.Paused = true;
            d.Spec.Replicas = 5;
            d.Spec.Template.Spec.Containers[0].Image = "web:2";
        });

        await controller.SyncAsync(Key, default);

        var rs = Assert.Single(_t.Api.List<ReplicaSet>());
        Assert.Equal((5, "web:1"), (rs.Spec.Replicas, rs.Spec.Template.Spec.Containers[0].Image));
    }

    [Fact]
    public async Task SyncAsync_RollbackToAReplicaSetScaledDownBeforeAScale_RollsOutInsteadOfScaling()
    {
        // The first ReplicaSet is scaled to 0 while the Deployment wants 1 replica, so its desired-replicas
        // annotation still says 1 after the Deployment is scaled to 2: an inactive ReplicaSet is not a scaling event.
        using var controller = await RolledOutAsync(TestObjects.Deployment(Ns, "web", 1, "web", "web:1"));
        var first = Assert.Single(_t.Api.List<ReplicaSet>()).Metadata.Name;
        Change(d => d.Spec.Template.Spec.Containers[0].Image = "web:2");
        await SyncUntilAsync(controller, () => Replicas(first) == 0);
        Change(d => d.Spec.Replicas = 2);
        await controller.SyncAsync(Key, default);
        Settle();
        Change(d => d.Spec.Template.Spec.Containers[0].Image = "web:3");
        await SyncUntilAsync(controller, () => OnlyActive("web:3", 2));
        Assert.Equal("1", _t.Api.Get<ReplicaSet>(Ns, first)!.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]);

        // rollout undo --to-revision=1 puts the first template back.
        Change(d => d.Spec.Template.Spec.Containers[0].Image = "web:1");
        await SyncUntilAsync(controller, () => OnlyActive("web:1", 2));
        await controller.SyncAsync(Key, default);

        Assert.Equal(3, _t.Api.List<ReplicaSet>().Count);
        var rolledBack = _t.Api.Get<ReplicaSet>(Ns, first)!;
        Assert.Equal(("4", "2"), (rolledBack.Metadata.Annotations["deployment.kubernetes.io/revision"], rolledBack.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]));
        var status = _t.Api.Get<Deployment>(Ns, "web")!.Status;
        Assert.Equal((2, 2, 2), (status.Replicas, status.UpdatedReplicas, status.AvailableReplicas));
    }

    private int Replicas(string replicaSet) => _t.Api.Get<ReplicaSet>(Ns, replicaSet)!.Spec.Replicas;

    /// <summary>The ReplicaSet running the image has all the replicas, every other one none.</summary>
    private bool OnlyActive(string image, int replicas) =>
        _t.Api.List<ReplicaSet>().All(rs => rs.Spec.Replicas == (rs.Spec.Template.Spec.Containers[0].Image == image ? replicas : 0));

    /// <summary>Syncs, letting the rest of the cluster catch up after each, until the condition holds (at most 20 syncs).</summary>
    private async Task SyncUntilAsync(DeploymentController controller, Func<bool> done)
    {
        for (var i = 0; i < 20 && !done(); i++)
        {
            await controller.SyncAsync(Key, default);
            Settle();
        }

        Assert.True(done(), "the rollout did not finish within 20 syncs");
    }

    /// <summary>A controller that has created the Deployment's first ReplicaSet, whose pods are all available.</summary>
    private async Task<DeploymentController> RolledOutAsync(Deployment deployment)
    {
        _t.Add(deployment);
        var controller = new DeploymentController(_t.Context);
        await controller.SyncAsync(Key, default);
        Settle();
        return controller;
    }

    /// <summary>Someone edits the Deployment, and the informer sees it.</summary>
    private void Change(Action<Deployment> edit)
    {
        var d = _t.Api.Get<Deployment>(Ns, "web")!;
        edit(d);
        _t.Api.Put(d);
        _t.Observe<Deployment>();
    }

    /// <summary>The informers catch up, and every ReplicaSet's pods exist and are available.</summary>
    private void Settle()
    {
        foreach (var rs in _t.Api.List<ReplicaSet>())
        {
            rs.Status = new ReplicaSetStatus
            {
                Replicas = rs.Spec.Replicas,
                ReadyReplicas = rs.Spec.Replicas,
                AvailableReplicas = rs.Spec.Replicas,
                FullyLabeledReplicas = rs.Spec.Replicas,
                ObservedGeneration = rs.Metadata.Generation,
            };
            _t.Api.Put(rs);
        }

        _t.Observe<ReplicaSet>();
        _t.Observe<Deployment>();
    }
}
