using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Cache;

/// <summary>
/// What the scheduler believes each node carries (kube-scheduler's cache): nodes and assigned pods from the
/// informers, plus pods it has assumed onto a node but whose binding the informer has not shown yet. Assuming
/// before binding lets back-to-back pods see each other's requests; a failed binding forgets the pod again.
/// Each node's <see cref="NodeInfo"/> is kept up to date as pods come and go, and stamped with a generation, so a
/// snapshot copies only the nodes that changed since the last one (kube-scheduler's UpdateSnapshot), not every pod.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInfo> _snapshot = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);

    // Nodes changed since the last snapshot, and each node's place in it, so a scheduling cycle's snapshot costs
    // what changed (the node the last pod was bound to) and not a pass over every node.
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private NodeInfo[] _snapshotList = [];
    private bool _snapshotListChanged;
    private long _generation;
    private long _snapshotGeneration;

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Values.Count(n => n.Info is not null);
            }
        }
    }

    public void AddOrUpdateNode(Node node)
    {
        lock (_lock)
        {
            var entry = Entry(node.Metadata.Name);
            if (entry.Info is null)
            {
                entry.Info = new NodeInfo(node);
                foreach (var pod in entry.Pods.Values)
                {
                    entry.Info.AddPod(pod);
                }
            }
            else
            {
                entry.Info.SetNode(node);
            }

            Touch(node.Metadata.Name, entry);
        }
    }

    public void RemoveNode(Node node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Metadata.Name, out var entry))
            {
                entry.Info = null;
                Touch(node.Metadata.Name, entry);
                if (entry.Pods.Count == 0)
                {
                    _nodes.Remove(node.Metadata.Name);
                    _removed.Add(node.Metadata.Name);
                }
            }
        }
    }

    /// <summary>A pod the informer shows on a node; confirms an assumed one (possibly on another node, if someone else bound it).</summary>
    public void AddOrUpdatePod(Pod pod)
    {
        var key = MetaNamespaceKey.For(pod.Metadata);
        lock (_lock)
        {
            RemovePodLocked(key);
            PlaceLocked(key, new PodEntry(pod, Assumed: false));
        }
    }

    public void RemovePod(Pod pod)
    {
        lock (_lock)
        {
            RemovePodLocked(MetaNamespaceKey.For(pod.Metadata));
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

            PlaceLocked(key, new PodEntry(pod, Assumed: true));
        }
    }

    /// <summary>Drops an assumed pod whose binding failed; a pod the informer already confirmed stays.</summary>
    public void ForgetPod(string key)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(key, out var entry) && entry.Assumed)
            {
                RemovePodLocked(key);
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
    /// A consistent copy of every node with its pods, for one scheduling cycle, ordered by node name. Plugins may
    /// keep what they read, and nothing the informers do meanwhile changes it: the nodes that changed since the last
    /// snapshot are copied afresh, the others are the previous snapshot's copies, which nothing changes.
    /// </summary>
    public IReadOnlyList<NodeInfo> Snapshot()
    {
        lock (_lock)
        {
            var changed = new Dictionary<string, NodeInfo?>(StringComparer.Ordinal);
            foreach (var name in _dirty)
            {
                if (_nodes.TryGetValue(name, out var entry) && entry.Generation > _snapshotGeneration)
                {
                    changed[name] = entry.Info?.Clone();
                }
            }

            _dirty.Clear();

            foreach (var name in _removed)
            {
                changed.TryAdd(name, null);
            }

            _removed.Clear();
            _snapshotGeneration = _generation;
            if (changed.Count == 0 && !_snapshotListChanged)
            {
                return _snapshotList;
            }

            foreach (var (name, info) in changed)
            {
                if (info is null)
                {
                    _snapshotListChanged |= _snapshot.Remove(name);
                }
                else
                {
                    _snapshotListChanged |= !_snapshot.ContainsKey(name);
                    _snapshot[name] = info;
                }
            }

            if (_snapshotListChanged)
            {
                _snapshotList = [.. _snapshot.Values.OrderBy(i => i.Name, StringComparer.Ordinal)];
                _positions.Clear();
                for (var i = 0; i < _snapshotList.Length; i++)
                {
                    _positions[_snapshotList[i].Name] = i;
                }

                _snapshotListChanged = false;
            }
            else
            {
                // Only the changed nodes are replaced; the list handed out before stays as it was.
                var list = (NodeInfo[])_snapshotList.Clone();
                foreach (var (name, info) in changed)
                {
                    // A node gone that was never in the snapshot (pods seen before the node) has no place.
                    if (info is not null)
                    {
                        list[_positions[name]] = info;
                    }
                }

                _snapshotList = list;
            }

            return _snapshotList;
        }
    }

    private NodeEntry Entry(string name)
    {
        if (!_nodes.TryGetValue(name, out var entry))
        {
            _nodes[name] = entry = new NodeEntry();
        }

        return entry;
    }

    private void Touch(string name, NodeEntry entry)
    {
        entry.Generation = ++_generation;
        _dirty.Add(name);
    }

    private void PlaceLocked(string key, PodEntry pod)
    {
        _pods[key] = pod;
        var entry = Entry(pod.Pod.Spec.NodeName);
        entry.Pods[key] = pod.Pod;
        entry.Info?.AddPod(pod.Pod);
        Touch(pod.Pod.Spec.NodeName, entry);
    }

    private void RemovePodLocked(string key)
    {
        if (!_pods.Remove(key, out var old))
        {
            return;
        }

        var name = old.Pod.Spec.NodeName;
        if (_nodes.TryGetValue(name, out var entry))
        {
            entry.Pods.Remove(key);
            entry.Info?.RemovePod(key);
            Touch(name, entry);
            if (entry.Info is null && entry.Pods.Count == 0)
            {
                _nodes.Remove(name);
                _removed.Add(name);
            }
        }
    }

    private sealed record PodEntry(Pod Pod, bool Assumed);

    /// <summary>A node name's pods, and its NodeInfo once the node itself is known.</summary>
    private sealed class NodeEntry
    {
        public Dictionary<string, Pod> Pods { get; } = new(StringComparer.Ordinal);

        public NodeInfo? Info { get; set; }

        public long Generation { get; set; }
    }
}
