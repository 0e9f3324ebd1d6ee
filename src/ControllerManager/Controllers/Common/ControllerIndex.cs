using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// kube's controller.PodControllerUIDIndex: an informer index of objects by the uid of their controller, orphans
/// filed per namespace. An owner's sync reads the objects it controls and the orphans it may adopt from the index
/// (kube's FilterPodsByOwner) instead of walking every object in its namespace, which made each sync cost as much
/// as the namespace is large.
/// </summary>
internal static class ControllerIndex
{
    public const string Name = "controllerUID";

    /// <summary>Indexes the informer's cache by controller uid (once per shared informer).</summary>
    public static void AddTo<T>(Informer<T> informer)
        where T : class, IMessage<T>, new()
    {
        var kind = informer.Cache.Kind;
        informer.Cache.AddIndexer(Name, obj => [KeyOf(kind.Metadata(obj))]);
    }

    /// <summary>The objects <paramref name="owner"/> controls and the orphans in its namespace, as candidates to claim.</summary>
    public static IEnumerable<T> OwnedOrOrphaned<T>(Lister<T> lister, ObjectMeta owner)
        where T : class, IMessage<T>, new() =>
        Owned(lister, owner.Uid).Concat(lister.ByIndex(Name, OrphanKey(owner.Namespace)));

    /// <summary>The objects controlled by the owner with this uid.</summary>
    public static IReadOnlyList<T> Owned<T>(Lister<T> lister, string ownerUid)
        where T : class, IMessage<T>, new() =>
        string.IsNullOrEmpty(ownerUid) ? [] : lister.ByIndex(Name, ownerUid);

    // A uid never contains '/', so an orphan key cannot collide with one.
    private static string KeyOf(ObjectMeta metadata) =>
        OwnerReferences.ControllerOf(metadata)?.Uid is { Length: > 0 } uid ? uid : OrphanKey(metadata.Namespace);

    private static string OrphanKey(string @namespace) => "orphan/" + @namespace;
}
