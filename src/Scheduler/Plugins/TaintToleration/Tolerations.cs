using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Plugins.TaintToleration;

/// <summary>Kubernetes' toleration matching (v1.Toleration.ToleratesTaint).</summary>
public static class Tolerations
{
    public static bool Tolerates(this Toleration toleration, Taint taint)
    {
        if (toleration.Effect.Length > 0 && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (toleration.Key.Length > 0 && toleration.Key != taint.Key)
        {
            return false;
        }

        return toleration.Operator switch
        {
            "" or "Equal" => toleration.Value == taint.Value,
            "Exists" => true,
            _ => false,
        };
    }

    public static bool Tolerates(this Pod pod, Taint taint) => pod.Spec?.Tolerations.Any(t => t.Tolerates(taint)) ?? false;

    /// <summary>True when any of <paramref name="tolerations"/> tolerates the taint.</summary>
    public static bool Tolerates(ReadOnlySpan<Toleration> tolerations, Taint taint)
    {
        foreach (var toleration in tolerations)
        {
            if (toleration.Tolerates(taint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>kube-scheduler's wording, also used for the taints a not-ready node implies.</summary>
    public static string UntoleratedReason(Taint taint) => $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";

    /// <summary>What TaintToleration returns for a node with this taint the pod does not tolerate.</summary>
    public static Status UntoleratedStatus(Taint taint) =>
        Status.UnschedulableAndUnresolvable(UntoleratedReason(taint)).WithPlugin(nameof(TaintToleration));

    /// <summary>Only NoSchedule and NoExecute taints keep a pod off a node (PreferNoSchedule merely scores).</summary>
    public static bool KeepsPodsOff(Taint taint) => taint.Effect is "NoSchedule" or "NoExecute";

    /// <summary>The first NoSchedule or NoExecute taint the pod does not tolerate, or null.</summary>
    public static Taint? FirstUntolerated(Pod pod, IEnumerable<Taint> taints) =>
        taints.FirstOrDefault(t => KeepsPodsOff(t) && !pod.Tolerates(t));
}
