using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Services;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// One event of a kind's watch cache, decoded once for all its watchers (kube-apiserver's watchCacheEvent): the
/// object and, for a MODIFIED event, the one before it, with the values of the kind's trigger field (a pod's
/// spec.nodeName) in each, so only the watchers selecting those values are handed the event.
/// </summary>
public sealed class WatchCacheEvent
{
    public WatchCacheEvent(ResourceKind kind, StoreEvent e, string? triggerField)
    {
        Event = e;
        Object = ObjectCodec.Decode(kind, e.Object, e.Revision);
        Previous = e.Previous is { } previous ? ObjectCodec.Decode(kind, previous, e.Revision) : null;
        if (triggerField is not null)
        {
            Trigger = ObjectFields.Get(kind, Object, triggerField) ?? "";
            PreviousTrigger = Previous is null ? null : ObjectFields.Get(kind, Previous, triggerField) ?? "";
        }
    }

    public StoreEvent Event { get; }

    public long Revision => Event.Revision;

    public string Type => Event.Type;

    /// <summary>The object after the change (the last state for DELETED), shared by every watcher: never modify it.</summary>
    public IMessage Object { get; }

    /// <summary>The object before a MODIFIED change, shared likewise.</summary>
    public IMessage? Previous { get; }

    /// <summary>The trigger field's value in <see cref="Object"/>; null when the kind has no trigger field.</summary>
    public string? Trigger { get; }

    public string? PreviousTrigger { get; }

    /// <summary>
    /// The watch event of <paramref name="type"/> for this change, built and encoded once for every watcher that is
    /// sent it (a watcher whose selector the change enters or leaves sees it as ADDED or DELETED).
    /// </summary>
    public EncodedMessage Shared(string type, Func<string, IMessage> build)
    {
        var slot = type switch { StoreEvent.Added => 0, StoreEvent.Modified => 1, StoreEvent.Deleted => 2, _ => -1 };
        if (slot < 0)
        {
            return new EncodedMessage(build(type));
        }

        return Volatile.Read(ref _shared[slot]) ?? Interlocked.CompareExchange(ref _shared[slot], new EncodedMessage(build(type)), null) ?? _shared[slot]!;
    }

    private readonly EncodedMessage?[] _shared = new EncodedMessage?[3];
}
