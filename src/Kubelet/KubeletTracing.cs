using System.Diagnostics;

namespace KubeMesh.Kubelet;

/// <summary>
/// The kubelet's spans: "sync pod default/web-0" with "create pod sandbox", "start container default/web-0/nginx" (with its
/// "pull image nginx:latest"), the probes until the container is ready, and "renew lease node-2" / "update node status
/// node-2" heartbeats.
/// </summary>
public static class KubeletTracing
{
    public const string SourceName = "KubeMesh.Kubelet";

    public static readonly ActivitySource Source = new(SourceName);
}
