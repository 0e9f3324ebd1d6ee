using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.DaemonSets;

public sealed partial class DaemonSetController
{
    private DaemonSet? ResolveControllerRef(Pod pod)
    {
        var reference = OwnerReferences.ControllerOf(pod.Metadata);
        if (reference is null || reference.Kind != ResourceKinds.DaemonSet.Kind)
        {
            return null;
        }

        var ds = _daemonSets.Get(pod.Metadata.Namespace, reference.Name);
        return ds?.Metadata.Uid == reference.Uid ? ds : null;
    }

    private void PodChanged(Pod pod, bool added)
    {
        if (ResolveControllerRef(pod) is { } ds)
        {
            var key = MetaNamespaceKey.For(ds.Metadata);
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                _expectations.DeletionObserved(key, MetaNamespaceKey.For(pod.Metadata));
            }
            else if (added)
            {
                _expectations.CreationObserved(key);
            }

            Queue.Add(key);
            var minReady = ds.Spec?.MinReadySeconds ?? 0;
            if (minReady > 0 && PodConditions.IsReady(pod))
            {
                Queue.AddAfter(key, TimeSpan.FromSeconds(minReady + 1));
            }
        }
        else if (OwnerReferences.ControllerOf(pod.Metadata) is null)
        {
            EnqueueAll(pod.Metadata.Namespace);
        }
    }

    internal void PodDeleted(Pod pod)
    {
        if (ResolveControllerRef(pod) is { } ds)
        {
            var key = MetaNamespaceKey.For(ds.Metadata);
            _expectations.DeletionObserved(key, MetaNamespaceKey.For(pod.Metadata));
            Queue.Add(key);
        }
    }

    /// <summary>Heartbeats change a node every few seconds; only labels, taints and deletion change where daemons run.</summary>
    private void NodeUpdated(Node old, Node node)
    {
        if (!old.Metadata.Labels.Equals(node.Metadata.Labels) || !Equals(old.Spec, node.Spec) || !Equals(old.Metadata.DeletionTimestamp, node.Metadata.DeletionTimestamp))
        {
            EnqueueAll();
        }
    }

    private void EnqueueAll(string? ns = null)
    {
        foreach (var ds in _daemonSets.List(ns))
        {
            Queue.Add(MetaNamespaceKey.For(ds.Metadata));
        }
    }
}
