using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

/// <summary>deploymentutil: annotations, surge and unavailability arithmetic, and conditions.</summary>
internal static class DeploymentUtil
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
    public const string RecreateStrategy = "Recreate";

    public static int Replicas(Deployment d) => d.Spec?.HasReplicas == true ? d.Spec.Replicas : 1;

    public static int Replicas(ReplicaSet rs) => rs.Spec?.HasReplicas == true ? rs.Spec.Replicas : 1;

    public static bool IsRecreate(Deployment d) => d.Spec?.Strategy?.Type == RecreateStrategy;

    public static long Revision(ReplicaSet rs) =>
        rs.Metadata.Annotations.TryGetValue(RevisionAnnotation, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var r) ? r : 0;

    public static long MaxRevision(IEnumerable<ReplicaSet> replicaSets) => replicaSets.Select(Revision).DefaultIfEmpty(0).Max();

    /// <summary>maxSurge rounds up, maxUnavailable down; if both come to 0, one pod may be unavailable (ResolveFenceposts).</summary>
    public static (int MaxSurge, int MaxUnavailable) ResolveFenceposts(Deployment d)
    {
        if (IsRecreate(d))
        {
            return (0, 0);
        }

        var replicas = Replicas(d);
        var rolling = d.Spec?.Strategy?.RollingUpdate;
        var surge = Scaled(rolling?.MaxSurge, replicas, roundUp: true);
        var unavailable = Scaled(rolling?.MaxUnavailable, replicas, roundUp: false);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    /// <summary>MaxUnavailable, capped at the replica count.</summary>
    public static int MaxUnavailable(Deployment d) =>
        IsRecreate(d) || Replicas(d) == 0 ? 0 : Math.Min(ResolveFenceposts(d).MaxUnavailable, Replicas(d));

    public static int MaxSurge(Deployment d) => IsRecreate(d) ? 0 : ResolveFenceposts(d).MaxSurge;

    public static Condition? GetCondition(DeploymentStatus? status, string type) =>
        status?.Conditions.FirstOrDefault(c => c.Type == type);

    /// <summary>SetDeploymentCondition: keeps lastTransitionTime when the status did not change.</summary>
    public static void SetCondition(DeploymentStatus status, Condition condition)
    {
        var current = GetCondition(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }

        RemoveCondition(status, condition.Type);
        status.Conditions.Add(condition);
    }

    public static void RemoveCondition(DeploymentStatus status, string type)
    {
        for (var i = status.Conditions.Count - 1; i >= 0; i--)
        {
            if (status.Conditions[i].Type == type)
            {
                status.Conditions.RemoveAt(i);
            }
        }
    }

    public static Condition NewCondition(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var time = Timestamp.FromDateTimeOffset(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        return new Condition { Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = time, LastTransitionTime = time };
    }

    public static int Scaled(Value? value, int total, bool roundUp)
    {
        if (value is null || value.KindCase == Value.KindOneofCase.None || value.KindCase == Value.KindOneofCase.NullValue)
        {
            value = Value.ForString("25%");
        }

        if (value.KindCase == Value.KindOneofCase.NumberValue)
        {
            return (int)value.NumberValue;
        }

        var text = value.StringValue.TrimEnd('%');
        var percent = int.Parse(text, CultureInfo.InvariantCulture);
        var exact = percent * total / 100.0;
        return roundUp ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
    }
}
