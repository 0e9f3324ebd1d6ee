using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.GarbageCollection;

/// <summary>
/// The garbage collector (pkg/controller/garbagecollector): deletes objects whose owners are all gone, deletes the
/// dependents of an owner being deleted in the foreground before releasing its foregroundDeletion finalizer, and
/// strips the ownerReferences of an orphaning owner's dependents before releasing its orphan finalizer. Absence
/// of an owner is confirmed with the api-server before anything is deleted, never taken from a cache alone.
/// </summary>
public sealed partial class GarbageCollectorController : Controller<ObjectRef>
{
    private const string Orphan = "orphan";
    private const string ForegroundDeletion = "foregroundDeletion";

    private readonly Dictionary<ResourceKind, Func<string, string, IMessage?>> _caches = [];
    private readonly DependentsIndex _index = new();

    public GarbageCollectorController(ControllerContext context)
        : base(context, "GarbageCollector", defaultWorkers: 20)
    {
        var watch = typeof(GarbageCollectorController).GetMethod(nameof(Watch), BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (var kind in ResourceKinds.All.Where(k => k != ResourceKinds.Event))
        {
            watch.MakeGenericMethod(kind.Descriptor.ClrType).Invoke(this, [kind]);
        }
    }

    protected internal override async Task SyncAsync(ObjectRef item, CancellationToken cancellationToken)
    {
        var obj = _caches[item.Kind](item.Namespace, item.Name);
        if (obj is null)
        {
            return;
        }

        var meta = item.Kind.Metadata(obj);
        if (meta.DeletionTimestamp is not null && meta.Finalizers.Contains(Orphan))
        {
            await OrphanDependentsAsync(item, meta, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (meta.DeletionTimestamp is not null && meta.Finalizers.Contains(ForegroundDeletion))
        {
            await DeleteDependentsAsync(item, meta, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (meta.OwnerReferences.Count > 0 && meta.DeletionTimestamp is null)
        {
            await AttemptToDeleteAsync(item, meta, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Watch<T>(ResourceKind kind)
        where T : class, IMessage<T>, new()
    {
        var informer = InformerFor<T>();
        _caches[kind] = (ns, name) => informer.Lister.Get(ns, name);
        AddEventHandler(
            informer,
            onAdd: obj => Observe(kind, obj),
            onUpdate: (_, obj) => Observe(kind, obj),
            onDelete: obj => Forget(kind, obj));
    }

    internal void Observe(ResourceKind kind, IMessage obj)
    {
        var meta = kind.Metadata(obj);
        var item = ObjectRef.Of(kind, meta);
        _index.Set(item, meta);
        if (meta.OwnerReferences.Count > 0 || meta.Finalizers.Contains(Orphan) || meta.Finalizers.Contains(ForegroundDeletion))
        {
            Queue.Add(item);
        }

        // An owner deleted in the foreground waits on its dependents: tell it when one starts going.
        if (meta.DeletionTimestamp is not null)
        {
            EnqueueOwners(meta);
        }
    }

    internal void Forget(ResourceKind kind, IMessage obj)
    {
        var meta = kind.Metadata(obj);
        _index.Remove(ObjectRef.Of(kind, meta));
        foreach (var dependent in _index.DependentsOf(meta.Uid))
        {
            Queue.Add(dependent);
        }

        EnqueueOwners(meta);
    }

    private void EnqueueOwners(ObjectMeta meta)
    {
        foreach (var reference in meta.OwnerReferences)
        {
            if (ObjectRef.OwnerOf(reference, meta.Namespace) is { } owner)
            {
                Queue.Add(owner);
            }
        }
    }
}
