using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Probes;

/// <summary>Runs one attempt of a container's probe; the prober decides what the results mean.</summary>
public interface IProbeRunner
{
    Task<ProbeResult> RunAsync(Probe probe, Container container, ContainerHandle handle, string podIp, CancellationToken cancellationToken);
}
