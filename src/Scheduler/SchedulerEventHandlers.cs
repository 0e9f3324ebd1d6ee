using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Scheduler.Cache;
using KubeMesh.Scheduler.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler;

/// <summary>
/// Feeds the cache and the queue from the informers (kube-scheduler's eventhandlers.go): pending pods of this
/// scheduler into the queue; nodes and assigned pods into the cache, each change that could let a parked pod fit
/// waking the unschedulable pods. Handlers only update in-memory state; the scheduling loop does the work.
/// </summary>
public sealed class SchedulerEventHandlers(
    SharedInformerFactory informers,
    SchedulerCache cache,
    SchedulingQueue queue,
    IOptions<SchedulerOptions> options,
    ILogger<SchedulerEventHandlers> logger)
{
    /// <summary>
    /// Pending pods are read from the one informer of all pods: a second watch of the unassigned ones would make the
    /// api-server send, and this process decode, every pending pod twice and its binding once more.
    /// </summary>
    public Lister<Pod> PendingPods => informers.GetLister<Pod>();

    public void Register()
    {
        // As kube-scheduler splits its one pod informer with filtering handlers: unassigned pods feed the queue,
        // assigned ones the cache, and a pod that gets bound leaves the one (a delete) and joins the other (an add).
        informers.GetInformer<Pod>().AddEventHandler(
            onAdd: pod =>
            {
                if (IsAssigned(pod))
                {
                    OnPodAdd(pod);
                }
                else
                {
                    OnPendingPod(pod);
                }
            },
            onUpdate: (oldPod, newPod) =>
            {
                if (!IsAssigned(newPod))
                {
                    OnPendingPodUpdate(oldPod, newPod);
                }
                else if (!IsAssigned(oldPod))
                {
                    queue.Delete(MetaNamespaceKey.For(oldPod.Metadata));
                    OnPodAdd(newPod);
                }
                else
                {
                    OnPodUpdate(oldPod, newPod);
                }
            },
            onDelete: pod =>
            {
                if (!IsAssigned(pod))
                {
                    queue.Delete(MetaNamespaceKey.For(pod.Metadata));
                }

                OnPodDelete(pod);
            });
        informers.GetInformer<Node>().AddEventHandler(onAdd: OnNodeAdd, onUpdate: OnNodeUpdate, onDelete: cache.RemoveNode);
    }

    /// <summary>Ours to schedule: naming this scheduler (or none), not being deleted, not finished, not on a node.</summary>
    public bool Responsible(Pod pod) =>
        (string.IsNullOrEmpty(pod.Spec?.SchedulerName) || pod.Spec.SchedulerName == options.Value.SchedulerName)
        && pod.Metadata.DeletionTimestamp is null
        && pod.Status?.Phase is not ("Succeeded" or "Failed")
        && string.IsNullOrEmpty(pod.Spec?.NodeName);

    private void OnPendingPod(Pod pod)
    {
        if (Responsible(pod))
        {
            queue.Activate(MetaNamespaceKey.For(pod.Metadata));
        }
    }

    private void OnPendingPodUpdate(Pod oldPod, Pod newPod)
    {
        var key = MetaNamespaceKey.For(newPod.Metadata);
        if (!Responsible(newPod))
        {
            queue.Delete(key);
        }
        else if (PodChanges.SchedulingRelevant(oldPod, newPod))
        {
            // Our own status writes (the PodScheduled condition) land here too and must not retry the pod.
            queue.Activate(key);
        }
    }

    private void OnPodAdd(Pod pod)
    {
        if (IsAssignedAndRunning(pod))
        {
            cache.AddOrUpdatePod(pod);
            MoveAll("AssignedPodAdd");
        }
    }

    private void OnPodUpdate(Pod oldPod, Pod newPod)
    {
        if (!IsAssignedAndRunning(newPod))
        {
            if (IsAssignedAndRunning(oldPod))
            {
                // Finished pods release their node's resources and ports.
                cache.RemovePod(newPod);
                MoveAll("AssignedPodDelete");
            }

            return;
        }

        cache.AddOrUpdatePod(newPod);
        if (!IsAssignedAndRunning(oldPod) || !PodChanges.LabelsEqual(oldPod, newPod) || PodRequestsChanged(oldPod, newPod))
        {
            MoveAll(IsAssignedAndRunning(oldPod) ? "AssignedPodUpdate" : "AssignedPodAdd");
        }
    }

    private void OnPodDelete(Pod pod)
    {
        cache.RemovePod(pod);
        if (IsAssignedAndRunning(pod))
        {
            MoveAll("AssignedPodDelete");
        }
    }

    private void OnNodeAdd(Node node)
    {
        cache.AddOrUpdateNode(node);
        MoveAll("NodeAdd");
    }

    private void OnNodeUpdate(Node oldNode, Node newNode)
    {
        cache.AddOrUpdateNode(newNode);

        // Heartbeats rewrite the node every few seconds; only changes a filter looks at wake parked pods.
        if (NodeChanges.SchedulingRelevant(oldNode, newNode))
        {
            MoveAll("NodeUpdate");
        }
    }

    private void MoveAll(string clusterEvent)
    {
        var moved = queue.MoveAllToActiveOrBackoff();
        if (moved > 0)
        {
            SchedulerLog.MovedToActive(logger, moved, clusterEvent);
        }
    }

    private static bool IsAssigned(Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool IsAssignedAndRunning(Pod pod) =>
        !string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private static bool PodRequestsChanged(Pod oldPod, Pod newPod) =>
        Framework.PodRequests.Compute(oldPod) != Framework.PodRequests.Compute(newPod);
}
