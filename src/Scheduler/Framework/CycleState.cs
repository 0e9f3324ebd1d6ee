namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// Data plugins share during one pod's scheduling cycle (kube-scheduler's CycleState), such as the pod's
/// computed requests, so every node's filter does not recompute them.
/// </summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    public T GetOrAdd<T>(string key, Func<T> create)
        where T : notnull
    {
        if (_data.TryGetValue(key, out var value))
        {
            return (T)value;
        }

        var created = create();
        _data[key] = created;
        return created;
    }

    public void Write(string key, object value) => _data[key] = value;

    public bool TryRead<T>(string key, out T value)
    {
        if (_data.TryGetValue(key, out var stored) && stored is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return false;
    }
}
