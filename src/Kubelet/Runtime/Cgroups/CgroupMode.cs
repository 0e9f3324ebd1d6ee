namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>How container resource limits are enforced on this node.</summary>
public enum CgroupMode
{
    /// <summary>cgroup v2 where its memory and cpu controllers are available, else v1, else <see cref="None"/>.</summary>
    Auto,

    /// <summary>cgroup v1: the memory and cpu hierarchies (memory.limit_in_bytes, cpu.cfs_quota_us).</summary>
    V1,

    /// <summary>cgroup v2: the unified hierarchy (memory.max, cpu.max).</summary>
    V2,

    /// <summary>
    /// No cgroups: the runtime watches each container's resident memory and kills it over its limit (OOMKilled);
    /// CPU limits are reported as not enforced.
    /// </summary>
    None,
}
