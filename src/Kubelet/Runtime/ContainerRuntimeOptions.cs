using KubeMesh.Kubelet.Runtime.Cgroups;

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

    /// <summary>How resource limits are enforced: cgroups (v2, else v1) where writable, else the memory watch.</summary>
    public CgroupMode Cgroups { get; set; } = CgroupMode.Auto;

    /// <summary>
    /// The cgroup (relative to the kubelet's own, or to the v2 root) that holds this kubelet's pods; by default
    /// kubemesh/kubelet-&lt;hash of the state directory&gt;, so kubelets sharing a machine never touch each other's.
    /// </summary>
    public string? CgroupParent { get; set; }

    /// <summary>How often the memory watch looks at a container's resident memory where there are no cgroups.</summary>
    public TimeSpan MemoryWatchInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
