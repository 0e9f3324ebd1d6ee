using KubeMesh.Api.Core.V1;

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

    /// <summary>kube-scheduler's wording, also used for the taints a not-ready node implies.</summary>
    public static string UntoleratedReason(Taint taint) => $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";

    /// <summary>The first NoSchedule or NoExecute taint the pod does not tolerate, or null.</summary>
    public static Taint? FirstUntolerated(Pod pod, IEnumerable<Taint> taints) =>
        taints.FirstOrDefault(t => t.Effect is "NoSchedule" or "NoExecute" && !pod.Tolerates(t));
}
