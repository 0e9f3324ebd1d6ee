using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Scheduler;

/// <summary>
/// Tells users why a pod is Pending, where kubectl shows it: the PodScheduled condition (False, Unschedulable, the
/// message) in the pod's status, and a Warning FailedScheduling event with the same message.
/// </summary>
public sealed class UnschedulableReporter(KubeMeshClient client, EventRecorder recorder, ILogger<UnschedulableReporter> logger, TimeProvider? timeProvider = null)
{
    public const string ConditionType = "PodScheduled";
    public const string Reason = "Unschedulable";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task ReportAsync(Pod pod, string message, CancellationToken cancellationToken)
    {
        recorder.Event(pod, EventTypes.Warning, "FailedScheduling", message);
        var pods = client.For<Pod>();
        try
        {
            await RetryOnConflict.RunAsync(async ct =>
            {
                var current = await pods.GetAsync(pod.Metadata.Namespace, pod.Metadata.Name, ct).ConfigureAwait(false);
                if (current.Metadata.Uid != pod.Metadata.Uid || !string.IsNullOrEmpty(current.Spec?.NodeName))
                {
                    return;
                }

                if (SetCondition(current, message, _time.GetUtcNow()))
                {
                    await pods.UpdateStatusAsync(current, ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            if (e.StatusCode != StatusCode.NotFound)
            {
                SchedulerLog.ConditionUpdateFailed(logger, e, pod.Metadata.Namespace, pod.Metadata.Name);
            }
        }
    }

    /// <summary>Sets PodScheduled=False; false when it already says exactly that, so no write is needed.</summary>
    internal static bool SetCondition(Pod pod, string message, DateTimeOffset now)
    {
        pod.Status ??= new PodStatus();
        var existing = pod.Status.Conditions.FirstOrDefault(c => c.Type == ConditionType);
        if (existing is { Status: "False", Reason: Reason } && existing.Message == message)
        {
            return false;
        }

        var condition = new Condition
        {
            Type = ConditionType,
            Status = "False",
            Reason = Reason,
            Message = message,
            LastProbeTime = Timestamp.FromDateTimeOffset(now),
            LastTransitionTime = existing is { Status: "False" } ? existing.LastTransitionTime : Timestamp.FromDateTimeOffset(now),
        };
        if (existing is null)
        {
            pod.Status.Conditions.Add(condition);
        }
        else
        {
            pod.Status.Conditions[pod.Status.Conditions.IndexOf(existing)] = condition;
        }

        return true;
    }
}
