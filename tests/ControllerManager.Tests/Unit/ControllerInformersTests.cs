using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.CronJobs;
using KubeMesh.ControllerManager.Controllers.DaemonSets;
using KubeMesh.ControllerManager.Controllers.Deployments;
using KubeMesh.ControllerManager.Controllers.Endpoint;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using KubeMesh.ControllerManager.Controllers.Jobs;
using KubeMesh.ControllerManager.Controllers.Namespaces;
using KubeMesh.ControllerManager.Controllers.NodeLifecycle;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;
using KubeMesh.ControllerManager.Controllers.StatefulSets;
using Microsoft.Extensions.Hosting;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>What each controller waits for before its workers start: the informers it reads, and only those.</summary>
public sealed class ControllerInformersTests
{
    public static TheoryData<string, string[]> Expected => new()
    {
        { "ReplicaSet", ["replicasets", "pods"] },
        { "Deployment", ["deployments", "replicasets", "pods"] },
        { "Job", ["jobs", "pods"] },
        { "CronJob", ["cronjobs", "jobs"] },
        { "DaemonSet", ["daemonsets", "pods", "nodes", "controllerrevisions"] },
        { "StatefulSet", ["statefulsets", "pods", "controllerrevisions"] },
        { "Endpoints", ["services", "pods", "endpoints"] },
        { "NodeLifecycle", ["nodes", "leases (namespace kube-node-lease)", "pods"] },
        { "Namespace", ["namespaces", "pods"] },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Informers_OfEachController_AreTheKindsItReads(string controller, string[] informers)
    {
        using var built = Build(controller, new ControllerTestContext().Context);

        Assert.Equal(informers, ((Controller<string>)built).Informers);
    }

    [Fact]
    public void Informers_OfTheGarbageCollector_AreEveryKindButEvents()
    {
        using var gc = new GarbageCollectorController(new ControllerTestContext().Context);

        Assert.Contains("pods", gc.Informers);
        Assert.Contains("namespaces", gc.Informers);
        Assert.DoesNotContain("events", gc.Informers);
        Assert.Equal(KubeMesh.Api.Resources.ResourceKinds.All.Count - 1, gc.Informers.Count);
    }

    private static BackgroundService Build(string name, ControllerContext context) => name switch
    {
        "ReplicaSet" => new ReplicaSetController(context),
        "Deployment" => new DeploymentController(context),
        "Job" => new JobController(context),
        "CronJob" => new CronJobController(context),
        "DaemonSet" => new DaemonSetController(context),
        "StatefulSet" => new StatefulSetController(context),
        "Endpoints" => new EndpointsController(context),
        "NodeLifecycle" => new NodeLifecycleController(context),
        "Namespace" => new NamespaceController(context),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
