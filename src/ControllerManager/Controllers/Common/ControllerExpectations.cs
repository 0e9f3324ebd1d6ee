using System.Collections.Concurrent;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// kube's (UID-tracking) ControllerExpectations: after a controller asks for N creates or deletes, it does not act
/// on the controller again until its informer has seen them, so a stale cache never causes a second round of
/// creates. Deletions are tracked by pod key so a pod seen terminating and then gone counts once. Expectations
/// older than five minutes are treated as met, in case a watch event was lost.
/// </summary>
internal sealed class ControllerExpectations(TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public bool Satisfied(string controllerKey)
    {
        if (!_entries.TryGetValue(controllerKey, out var entry))
        {
            return true;
        }

        lock (entry)
        {
            return (entry.Adds <= 0 && entry.Deletes.Count == 0) || time.GetUtcNow() - entry.Timestamp > Ttl;
        }
    }

    /// <summary>Replaces what the controller waits for with these creates and deletes (kube's SetExpectations).</summary>
    public void SetExpectations(string controllerKey, int adds, IEnumerable<string> podKeysToDelete)
    {
        var entry = new Entry { Adds = adds, Timestamp = time.GetUtcNow() };
        entry.Deletes.UnionWith(podKeysToDelete);
        _entries[controllerKey] = entry;
    }

    public void ExpectCreations(string controllerKey, int adds) => SetExpectations(controllerKey, adds, []);

    public void ExpectDeletions(string controllerKey, IEnumerable<string> podKeys) => SetExpectations(controllerKey, 0, podKeys);

    public void CreationObserved(string controllerKey)
    {
        if (_entries.TryGetValue(controllerKey, out var entry))
        {
            lock (entry)
            {
                entry.Adds--;
            }
        }
    }

    public void DeletionObserved(string controllerKey, string podKey)
    {
        if (_entries.TryGetValue(controllerKey, out var entry))
        {
            lock (entry)
            {
                entry.Deletes.Remove(podKey);
            }
        }
    }

    public void Delete(string controllerKey) => _entries.TryRemove(controllerKey, out _);

    private sealed class Entry
    {
        public int Adds { get; set; }

        public HashSet<string> Deletes { get; } = [];

        public DateTimeOffset Timestamp { get; init; }
    }
}
