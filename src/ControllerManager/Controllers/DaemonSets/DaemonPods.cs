using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.Deployments;

namespace KubeMesh.ControllerManager.Controllers.DaemonSets;

/// <summary>
/// Which nodes a DaemonSet runs on and the pods it puts there (pkg/controller/daemon/util). Daemon pods tolerate
/// the taints a not-ready, unreachable, pressured or cordoned node gets, so a struggling node keeps its daemons.
/// </summary>
internal static class DaemonPods
{
    public const string RevisionHashLabel = "controller-revision-hash";

    private static readonly Toleration[] DefaultTolerations =
    [
        new() { Key = "node.kubernetes.io/not-ready", Operator = "Exists", Effect = "NoExecute" },
        new() { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute" },
        new() { Key = "node.kubernetes.io/disk-pressure", Operator = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/memory-pressure", Operator = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/pid-pressure", Operator = "Exists", Effect = "NoSchedule" },
        new() { Key = "node.kubernetes.io/unschedulable", Operator = "Exists", Effect = "NoSchedule" },
    ];

    public static string Hash(DaemonSet ds) => PodTemplateHash.Compute(ds.Spec!.Template, null);

    /// <summary>nodeShouldRunDaemonPod: the node selector admits the node and every NoSchedule/NoExecute taint is tolerated.</summary>
    public static bool ShouldRun(DaemonSet ds, Node node)
    {
        var spec = ds.Spec?.Template?.Spec;
        if (spec is null || node.Metadata.DeletionTimestamp is not null)
        {
            return false;
        }

        if (spec.NodeSelector.Any(s => !node.Metadata.Labels.TryGetValue(s.Key, out var v) || v != s.Value))
        {
            return false;
        }

        var tolerations = spec.Tolerations.Concat(DefaultTolerations).ToList();
        return node.Spec?.Taints.All(t => t.Effect is not ("NoSchedule" or "NoExecute") || tolerations.Any(tol => Tolerates(tol, t))) ?? true;
    }

    public static Pod New(DaemonSet ds, string nodeName, string hash)
    {
        var pod = PodTemplates.NewPod(ds.Spec!.Template, ds.Metadata, ResourceKinds.DaemonSet);
        pod.Metadata.Labels[RevisionHashLabel] = hash;
        pod.Spec.NodeName = nodeName;
        foreach (var toleration in DefaultTolerations.Where(d => !pod.Spec.Tolerations.Any(t => t.Key == d.Key && t.Effect == d.Effect)))
        {
            pod.Spec.Tolerations.Add(toleration.Clone());
        }

        return pod;
    }

    public static bool IsUpdated(Pod pod, string hash) => pod.Metadata.Labels.TryGetValue(RevisionHashLabel, out var h) && h == hash;

    private static bool Tolerates(Toleration toleration, Taint taint) =>
        (toleration.Effect.Length == 0 || toleration.Effect == taint.Effect)
        && (toleration.Key.Length == 0 || toleration.Key == taint.Key)
        && toleration.Operator switch
        {
            "" or "Equal" => toleration.Value == taint.Value,
            "Exists" => true,
            _ => false,
        };
}
