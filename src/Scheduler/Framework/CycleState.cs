namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// Data plugins share during one pod's scheduling cycle (kube-scheduler's CycleState), such as the pod's
/// computed requests, so every node's filter does not recompute them.
/// </summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    /// <summary>Where this cycle records every plugin's verdict, when the pod asked for them; read for every node, so a field.</summary>
    public Results.SchedulingResults? Results { get; set; }

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

    /// <summary>
    /// As <see cref="GetOrAdd{T}(string, Func{T})"/>, computing the value from <paramref name="argument"/>: with a
    /// static lambda nothing is allocated when the value is already there, which is every node but the first.
    /// </summary>
    public T GetOrAdd<TArgument, T>(string key, TArgument argument, Func<TArgument, T> create)
        where T : notnull
    {
        if (_data.TryGetValue(key, out var value))
        {
            return (T)value;
        }

        var created = create(argument);
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
