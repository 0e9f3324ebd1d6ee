namespace KubeMesh.Scheduler.Framework;

/// <summary>The outcome of a plugin, with the same meaning as in kube-scheduler's framework.</summary>
public enum StatusCode
{
    Success,

    /// <summary>The pod does not fit now; a change on the node (a pod leaving, say) could make it fit.</summary>
    Unschedulable,

    /// <summary>The pod cannot fit until the node itself changes (labels, taints, readiness).</summary>
    UnschedulableAndUnresolvable,

    /// <summary>The plugin failed; the pod is retried after its backoff.</summary>
    Error,
}
