using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Cache;

/// <summary>
/// What the scheduler believes each node carries (kube-scheduler's cache): nodes and assigned pods from the
/// informers, plus pods it has assumed onto a node but whose binding the informer has not shown yet. Assuming
/// before binding lets back-to-back pods see each other's requests; a failed binding forgets the pod again.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    public void AddOrUpdateNode(Node node)
    {
        lock (_lock)
        {
            _nodes[node.Metadata.Name] = node;
        }
    }

    public void RemoveNode(Node node)
    {
        lock (_lock)
        {
            _nodes.Remove(node.Metadata.Name);
        }
    }

    /// <summary>A pod the informer shows on a node; confirms an assumed one (possibly on another node, if someone else bound it).</summary>
    public void AddOrUpdatePod(Pod pod)
    {
        lock (_lock)
        {
            _pods[MetaNamespaceKey.For(pod.Metadata)] = new PodEntry(pod, Assumed: false);
        }
    }

    public void RemovePod(Pod pod)
    {
        lock (_lock)
        {
            _pods.Remove(MetaNamespaceKey.For(pod.Metadata));
        }
    }

    /// <summary>Places a copy of the pod with spec.nodeName set, before the binding is written.</summary>
    public void AssumePod(Pod pod)
    {
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            throw new ArgumentException("an assumed pod must have spec.nodeName set", nameof(pod));
        }

        var key = MetaNamespaceKey.For(pod.Metadata);
        lock (_lock)
        {
            if (_pods.ContainsKey(key))
            {
                throw new InvalidOperationException($"pod {key} is already in the scheduler cache");
            }

            _pods[key] = new PodEntry(pod, Assumed: true);
        }
    }

    /// <summary>Drops an assumed pod whose binding failed; a pod the informer already confirmed stays.</summary>
    public void ForgetPod(string key)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(key, out var entry) && entry.Assumed)
            {
                _pods.Remove(key);
            }
        }
    }

    /// <summary>True while the pod is assumed or known bound: it must not be scheduled again.</summary>
    public bool IsAssumedOrBound(string key)
    {
        lock (_lock)
        {
            return _pods.ContainsKey(key);
        }
    }

    /// <summary>
    /// A consistent copy of every node with its pods, for one scheduling cycle, ordered by node name. Built afresh
    /// each time: plugins may keep what they read, and nothing the informers do meanwhile changes it.
    /// </summary>
    public IReadOnlyList<NodeInfo> Snapshot()
    {
        lock (_lock)
        {
            var infos = _nodes.Values
                .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
                .Select(n => new NodeInfo(n))
                .ToList();
            var byName = infos.ToDictionary(i => i.Name, StringComparer.Ordinal);
            foreach (var entry in _pods.Values)
            {
                if (byName.TryGetValue(entry.Pod.Spec.NodeName, out var info))
                {
                    info.AddPod(entry.Pod);
                }
            }

            return infos;
        }
    }

    private sealed record PodEntry(Pod Pod, bool Assumed);
}
