using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Probes;

namespace KubeMesh.Kubelet.Runtime.Hollow;

/// <summary>
/// Probes on a hollow node: nothing listens and nothing runs, so every attempt passes. The prober around it is the
/// real one, so a probe still counts only after its initialDelaySeconds and periodSeconds, as on a real node.
/// </summary>
public sealed class HollowProbeRunner : IProbeRunner
{
    public Task<ProbeResult> RunAsync(Probe probe, Container container, ContainerHandle handle, string podIp, CancellationToken cancellationToken) =>
        Task.FromResult(ProbeResult.Ok);
}
