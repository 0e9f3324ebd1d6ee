using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Controllers.GarbageCollection;

/// <summary>The graph's edges, owner uid to the objects that name it in their ownerReferences (kube's GraphBuilder, reduced to an index).</summary>
internal sealed class DependentsIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<ObjectRef>> _dependents = [];
    private readonly Dictionary<ObjectRef, string[]> _owners = [];

    public void Set(ObjectRef item, ObjectMeta metadata)
    {
        var owners = metadata.OwnerReferences.Select(r => r.Uid).Distinct().ToArray();
        lock (_lock)
        {
            RemoveLocked(item);
            if (owners.Length == 0)
            {
                return;
            }

            _owners[item] = owners;
            foreach (var uid in owners)
            {
                if (!_dependents.TryGetValue(uid, out var set))
                {
                    _dependents[uid] = set = [];
                }

                set.Add(item);
            }
        }
    }

    public void Remove(ObjectRef item)
    {
        lock (_lock)
        {
            RemoveLocked(item);
        }
    }

    public IReadOnlyList<ObjectRef> DependentsOf(string ownerUid)
    {
        lock (_lock)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }

    private void RemoveLocked(ObjectRef item)
    {
        if (!_owners.Remove(item, out var previous))
        {
            return;
        }

        foreach (var uid in previous)
        {
            if (_dependents.TryGetValue(uid, out var set) && set.Remove(item) && set.Count == 0)
            {
                _dependents.Remove(uid);
            }
        }
    }
}
