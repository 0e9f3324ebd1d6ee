namespace KubeMesh.Kubelet.Runtime;

public enum IsolationMode
{
    /// <summary>Probe at startup: namespaces as root, a user namespace otherwise, else none.</summary>
    Auto,

    /// <summary>Private mount, PID and UTS namespaces (needs root).</summary>
    Namespaces,

    /// <summary>The same inside a user namespace (unshare -U --map-root-user), for a kubelet that is not root.</summary>
    UserNamespace,

    /// <summary>Plain process groups: container paths are the node's paths and volumes are not mounted.</summary>
    None,
}
