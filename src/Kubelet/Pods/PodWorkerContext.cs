using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Images;
using KubeMesh.Kubelet.Metrics;
using KubeMesh.Kubelet.Probes;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Volumes;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Pods;

/// <summary>What every pod worker of this node shares.</summary>
public sealed class PodWorkerContext(
    IContainerRuntime runtime, IProbeRunner probes, ImageRegistry images, PodIpAllocator podIps, ContainerLogStore logs,
    EnvironmentResolver environment, VolumeManager volumes, KubeMeshClient client, EventRecorder events, KubeletOptions options,
    TimeProvider time, ILogger<PodWorker> logger, KubeletMetrics? metrics = null)
{
    public IContainerRuntime Runtime { get; } = runtime;

    public ImageRegistry Images { get; } = images;

    public PodIpAllocator PodIps { get; } = podIps;

    public ContainerLogStore Logs { get; } = logs;

    public EnvironmentResolver Environment { get; } = environment;

    public VolumeManager Volumes { get; } = volumes;

    public IProbeRunner Probes { get; } = probes;

    public ResourceClient<Pod> Pods { get; } = client.For<Pod>();

    public EventRecorder Events { get; } = events;

    public KubeletOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ILogger<PodWorker> Logger { get; } = logger;

    public KubeletMetrics Metrics { get; } = metrics ?? new KubeletMetrics();

    /// <summary>Restart and image pull back-off, keyed by pod uid and container name.</summary>
    public ContainerBackOff BackOff { get; } = new(options.BackOffInitial, options.BackOffMax, time);

    public string HostIp { get; } = options.ResolveAddress().ToString();

    public string PodDirectory(string podUid) => Path.Combine(Options.StateDirectory, "pods", podUid);
}
