namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// Data plugins share during one pod's scheduling cycle (kube-scheduler's CycleState), such as the pod's
/// computed requests, so every node's filter does not recompute them. Each piece has a
/// <see cref="CycleStateKey{T}"/>, which is a slot number: reading it for every node is an array index, not a
/// dictionary lookup hashing a string.
/// </summary>
public sealed class CycleState
{
    private static int s_keys;
    private object?[] _slots = new object?[Volatile.Read(ref s_keys)];

    /// <summary>Where this cycle records every plugin's verdict, when the pod asked for them; read for every node, so a field.</summary>
    public Results.SchedulingResults? Results { get; set; }

    /// <summary>
    /// The value under <paramref name="key"/>, computed from <paramref name="argument"/> the first time (kube-scheduler's
    /// PreFilter and PreScore work, done lazily so a plugin called on its own still works). With a static lambda
    /// nothing is allocated once the value is there, which is every node but the first.
    /// </summary>
    public T GetOrAdd<TArgument, T>(CycleStateKey<T> key, TArgument argument, Func<TArgument, T> create)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        var slots = _slots;
        if ((uint)key.Index < (uint)slots.Length && slots[key.Index] is { } value)
        {
            return (T)value;
        }

        var created = create(argument);
        if (key.Index >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(key.Index + 1, Volatile.Read(ref s_keys)));
        }

        _slots[key.Index] = created;
        return created;
    }

    internal static int RegisterKey() => Interlocked.Increment(ref s_keys) - 1;
}

/// <summary>Names one piece of <see cref="CycleState"/>; make one per piece, once (a static field), as each takes a slot.</summary>
public sealed class CycleStateKey<T>(string name)
    where T : notnull
{
    public string Name { get; } = name;

    internal int Index { get; } = CycleState.RegisterKey();

    public override string ToString() => Name;
}
