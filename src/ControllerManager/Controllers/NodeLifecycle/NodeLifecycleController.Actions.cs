using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.NodeLifecycle;

public sealed partial class NodeLifecycleController
{
    private const string UnreachableTaint = "node.kubernetes.io/unreachable";
    private static readonly string[] ConditionTypes = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    /// <summary>Sets the node's conditions to Unknown; returns when it stopped being ready.</summary>
    private async Task<DateTimeOffset> MarkUnknownAsync(Node node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ready = node.Status?.Conditions.FirstOrDefault(c => c.Type == "Ready");
        if (ready is { Status: "Unknown" })
        {
            return ready.LastTransitionTime?.ToDateTimeOffset() ?? now;
        }

        var updated = node.Clone();
        updated.Status ??= new NodeStatus();
        var time = Timestamp.FromDateTimeOffset(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        foreach (var type in ConditionTypes)
        {
            var condition = updated.Status.Conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                if (type != "Ready")
                {
                    continue;
                }

                updated.Status.Conditions.Add(condition = new Condition { Type = type });
            }

            condition.Status = "Unknown";
            condition.Reason = "NodeStatusUnknown";
            condition.Message = "Kubelet stopped posting node status.";
            condition.LastTransitionTime = time;
            condition.LastProbeTime = time;
        }

        await _nodeClient.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
        Recorder.Event(node, EventTypes.Normal, "NodeNotReady", $"Node {node.Metadata.Name} status is now: NodeNotReady");
        ControllerLog.Info(Logger, Name, $"node {node.Metadata.Name} stopped posting status; marked Unknown");
        return time.ToDateTimeOffset();
    }

    private Task AddUnreachableTaintsAsync(Node node, CancellationToken cancellationToken) =>
        node.Spec?.Taints.Any(t => t is { Key: UnreachableTaint, Effect: "NoExecute" }) == true
            ? Task.CompletedTask
            : UpdateTaintsAsync(node.Metadata.Name, taints =>
            {
                foreach (var effect in new[] { "NoSchedule", "NoExecute" })
                {
                    if (!taints.Any(t => t.Key == UnreachableTaint && t.Effect == effect))
                    {
                        taints.Add(new Taint { Key = UnreachableTaint, Effect = effect });
                    }
                }
            }, cancellationToken);

    private Task RemoveUnreachableTaintsAsync(Node node, CancellationToken cancellationToken) =>
        node.Spec?.Taints.Any(t => t.Key == UnreachableTaint) != true
            ? Task.CompletedTask
            : UpdateTaintsAsync(node.Metadata.Name, taints =>
            {
                foreach (var taint in taints.Where(t => t.Key == UnreachableTaint).ToList())
                {
                    taints.Remove(taint);
                }
            }, cancellationToken);

    private Task UpdateTaintsAsync(string name, Action<Google.Protobuf.Collections.RepeatedField<Taint>> change, CancellationToken cancellationToken) =>
        RetryOnConflict.RunAsync(async ct =>
        {
            var current = await _nodeClient.GetAsync("", name, ct).ConfigureAwait(false);
            current.Spec ??= new NodeSpec();
            change(current.Spec.Taints);
            await _nodeClient.UpdateAsync(current, ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Marks the node's pods not ready and evicts those past their deadline: the pod's toleration of the unreachable
    /// NoExecute taint (tolerationSeconds; forever without it) or else the eviction timeout. Returns the next deadline.
    /// </summary>
    private async Task<DateTimeOffset?> HandlePodsAsync(string nodeName, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        foreach (var pod in _pods.List().Where(p => p.Spec?.NodeName == nodeName && p.Metadata.DeletionTimestamp is null))
        {
            if (PodConditions.IsReady(pod))
            {
                await MarkPodNotReadyAsync(pod, now, cancellationToken).ConfigureAwait(false);
            }

            var toleration = pod.Spec.Tolerations.FirstOrDefault(t =>
                (t.Key == UnreachableTaint || (t.Key.Length == 0 && t.Operator == "Exists")) && t.Effect is "NoExecute" or "");
            if (toleration is not null && !toleration.HasTolerationSeconds)
            {
                continue;
            }

            var evictAt = since + (toleration is not null ? TimeSpan.FromSeconds(Math.Max(0, toleration.TolerationSeconds)) : _options.PodEvictionTimeout);
            if (now < evictAt)
            {
                next = next is null || evictAt < next ? evictAt : next;
                continue;
            }

            try
            {
                Recorder.Event(pod, EventTypes.Normal, "TaintManagerEviction", $"Marking for deletion Pod {pod.Metadata.Namespace}/{pod.Metadata.Name}");

                // A graceful deletion, as the taint eviction controller's: the pod stays Terminating until its kubelet,
                // when it comes back, has stopped the containers and confirms. Only then is the pod gone, so a
                // StatefulSet never runs an ordinal twice (a node that never returns is deleted, and pod GC removes
                // its pods); a ReplicaSet does not count a terminating pod and replaces it at once.
                await _podClient.DeleteAsync(new DeleteRequest
                {
                    Namespace = pod.Metadata.Namespace,
                    Name = pod.Metadata.Name,
                    Preconditions = new Preconditions { Uid = pod.Metadata.Uid },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }
        }

        return next;
    }

    private async Task MarkPodNotReadyAsync(Pod pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = pod.Clone();
        var ready = updated.Status.Conditions.First(c => c.Type == "Ready");
        ready.Status = "False";
        ready.LastTransitionTime = Timestamp.FromDateTimeOffset(now);
        try
        {
            await _podClient.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
            Recorder.Event(pod, EventTypes.Warning, "NodeNotReady", "Node is not ready");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }
}
