using System.Diagnostics;

namespace KubeMesh.Kubelet.Probes;

/// <summary>Where a container's probes are traced until it is first ready: under its start span, named after it ("default/web-0/nginx").</summary>
public sealed record ProbeTrace(ActivityContext Started, string Container);
