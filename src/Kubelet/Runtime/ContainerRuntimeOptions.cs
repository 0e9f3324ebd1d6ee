namespace KubeMesh.Kubelet.Runtime;

public sealed class ContainerRuntimeOptions
{
    /// <summary>The kubelet's state directory: container records (for cleanup after a restart) and staging roots.</summary>
    public string StateDirectory { get; set; } = "/var/lib/kubemesh/kubelet";

    public IsolationMode Isolation { get; set; } = IsolationMode.Auto;

    /// <summary>The cluster DNS address pods resolve through (kubelet's --cluster-dns; config Kubelet:ClusterDns).</summary>
    public string ClusterDns { get; set; } = "127.0.0.10";

    /// <summary>The cluster domain searched by pods (kubelet's --cluster-domain).</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>How long a namespace setup may take before the start is reported as failed.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
