namespace KubeMesh.Kubelet.Runtime.Cgroups;

/// <summary>A cgroup hierarchy cannot be used on this node (not mounted, or without the needed controllers).</summary>
public sealed class CgroupUnavailableException(string message) : Exception(message);
