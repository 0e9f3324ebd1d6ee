using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Defaults of the apps/v1 and batch/v1 kinds and of their pod templates.</summary>
internal static class WorkloadDefaulter
{
    public static void Apply(IMessage obj)
    {
        switch (obj)
        {
            case ReplicaSet { Spec: { } spec }:
                spec.Replicas = spec.HasReplicas ? spec.Replicas : 1;
                PodSpecDefaulter.Apply(spec.Template);
                break;
            case Deployment { Spec: { } spec }:
                Apply(spec);
                break;
            case DaemonSet { Spec: { } spec }:
                Apply(spec);
                break;
            case StatefulSet { Spec: { } spec }:
                Apply(spec);
                break;
            case Job { Spec: { } spec }:
                Apply(spec);
                break;
            case CronJob { Spec: { } spec }:
                spec.ConcurrencyPolicy = spec.ConcurrencyPolicy.Length == 0 ? "Allow" : spec.ConcurrencyPolicy;
                spec.Suspend = spec.HasSuspend && spec.Suspend;
                spec.SuccessfulJobsHistoryLimit = spec.HasSuccessfulJobsHistoryLimit ? spec.SuccessfulJobsHistoryLimit : 3;
                spec.FailedJobsHistoryLimit = spec.HasFailedJobsHistoryLimit ? spec.FailedJobsHistoryLimit : 1;
                if (spec.JobTemplate?.Spec is { } jobSpec)
                {
                    Apply(jobSpec);
                }

                break;
        }
    }

    private static void Apply(DeploymentSpec spec)
    {
        spec.Replicas = spec.HasReplicas ? spec.Replicas : 1;
        spec.RevisionHistoryLimit = spec.HasRevisionHistoryLimit ? spec.RevisionHistoryLimit : 10;
        spec.ProgressDeadlineSeconds = spec.HasProgressDeadlineSeconds ? spec.ProgressDeadlineSeconds : 600;
        var strategy = spec.Strategy ??= new DeploymentStrategy();
        strategy.Type = strategy.Type.Length == 0 ? "RollingUpdate" : strategy.Type;
        if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ??= new RollingUpdateDeployment();
            rolling.MaxUnavailable = IsSet(rolling.MaxUnavailable) ? rolling.MaxUnavailable : Value.ForString("25%");
            rolling.MaxSurge = IsSet(rolling.MaxSurge) ? rolling.MaxSurge : Value.ForString("25%");
        }

        PodSpecDefaulter.Apply(spec.Template);
    }

    private static void Apply(DaemonSetSpec spec)
    {
        spec.RevisionHistoryLimit = spec.HasRevisionHistoryLimit ? spec.RevisionHistoryLimit : 10;
        var strategy = spec.UpdateStrategy ??= new DaemonSetUpdateStrategy();
        strategy.Type = strategy.Type.Length == 0 ? "RollingUpdate" : strategy.Type;
        if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ??= new RollingUpdateDaemonSet();
            rolling.MaxUnavailable = IsSet(rolling.MaxUnavailable) ? rolling.MaxUnavailable : Value.ForNumber(1);
            rolling.MaxSurge = IsSet(rolling.MaxSurge) ? rolling.MaxSurge : Value.ForNumber(0);
        }

        PodSpecDefaulter.Apply(spec.Template);
    }

    private static void Apply(StatefulSetSpec spec)
    {
        spec.Replicas = spec.HasReplicas ? spec.Replicas : 1;
        spec.RevisionHistoryLimit = spec.HasRevisionHistoryLimit ? spec.RevisionHistoryLimit : 10;
        spec.PodManagementPolicy = spec.PodManagementPolicy.Length == 0 ? "OrderedReady" : spec.PodManagementPolicy;
        var strategy = spec.UpdateStrategy ??= new StatefulSetUpdateStrategy();
        strategy.Type = strategy.Type.Length == 0 ? "RollingUpdate" : strategy.Type;
        if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ??= new RollingUpdateStatefulSetStrategy();
            rolling.Partition = rolling.HasPartition ? rolling.Partition : 0;
        }

        var retention = spec.PersistentVolumeClaimRetentionPolicy ??= new StatefulSetPersistentVolumeClaimRetentionPolicy();
        retention.WhenDeleted = retention.WhenDeleted.Length == 0 ? "Retain" : retention.WhenDeleted;
        retention.WhenScaled = retention.WhenScaled.Length == 0 ? "Retain" : retention.WhenScaled;
        foreach (var claim in spec.VolumeClaimTemplates)
        {
            if (claim.Spec is { } claimSpec && claimSpec.VolumeMode.Length == 0)
            {
                claimSpec.VolumeMode = "Filesystem";
            }
        }

        PodSpecDefaulter.Apply(spec.Template);
    }

    private static void Apply(JobSpec spec)
    {
        if (!spec.HasCompletions && !spec.HasParallelism)
        {
            spec.Completions = 1;
        }

        spec.Parallelism = spec.HasParallelism ? spec.Parallelism : 1;
        spec.BackoffLimit = spec.HasBackoffLimit ? spec.BackoffLimit : 6;
        spec.CompletionMode = spec.CompletionMode.Length == 0 ? "NonIndexed" : spec.CompletionMode;
        spec.Suspend = spec.HasSuspend && spec.Suspend;
        PodSpecDefaulter.Apply(spec.Template);
    }

    private static bool IsSet(Value? value) => value is not null && value.KindCase != Value.KindOneofCase.None;
}
