using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>What every controller shares (kube-controller-manager's ControllerContext): one client, one informer factory, one event recorder.</summary>
public sealed record ControllerContext(
    KubeMeshClient Client,
    SharedInformerFactory Informers,
    TimeProvider Time,
    ILoggerFactory LoggerFactory,
    IConfiguration Configuration)
{
    /// <summary>A recorder reporting as the controller's component (e.g. replicaset-controller), as in kube.</summary>
    public EventRecorder NewRecorder(string component) => new(
        Client.For<Event>(),
        new EventSource { Component = component },
        LoggerFactory.CreateLogger<EventRecorder>(),
        Time);

    /// <summary>Worker count from Controllers:&lt;name&gt;:Workers, like kube's --concurrent-*-syncs flags.</summary>
    public int WorkersFor(string controller, int defaultWorkers) =>
        Math.Max(1, Configuration.GetValue($"Controllers:{controller}:Workers", defaultWorkers));
}
