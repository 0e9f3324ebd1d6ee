using System.Net;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// What the containers of one pod share: the pod IP, the pod's directory on the node (emptyDir
/// volumes, the pod's hosts file) and the host paths behind its volumes.
/// </summary>
public sealed record PodSandbox(string PodUid, string Namespace, string Name, IPAddress PodIp, string PodDirectory)
{
    /// <summary>Volume name to the node directory or file bound where a container mounts it.</summary>
    public IReadOnlyDictionary<string, string> Volumes { get; init; } = new Dictionary<string, string>();

    /// <summary>The pod's hostname (spec.hostname, else the pod name).</summary>
    public string Hostname { get; init; } = Name;

    /// <summary>The pod's resolv.conf; null means ClusterFirst with the runtime's cluster DNS settings.</summary>
    public PodDnsConfig? Dns { get; init; }

    /// <summary>Where an emptyDir volume of this pod lives on the node, as the kubelet lays it out.</summary>
    public string EmptyDirPath(string volumeName) =>
        Path.Combine(PodDirectory, "volumes", "kubernetes.io~empty-dir", volumeName);
}
