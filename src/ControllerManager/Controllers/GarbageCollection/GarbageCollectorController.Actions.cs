using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.GarbageCollection;

public sealed partial class GarbageCollectorController
{
    private enum OwnerState
    {
        Solid,
        Dangling,
        WaitingForDependents,
    }

    /// <summary>attemptToDeleteItem: keep the object while a solid owner remains; delete it once every owner is gone or going.</summary>
    private async Task AttemptToDeleteAsync(ObjectRef item, ObjectMeta meta, CancellationToken cancellationToken)
    {
        var states = new List<(OwnerReference Reference, OwnerState State)>();
        foreach (var reference in meta.OwnerReferences)
        {
            states.Add((reference, await ResolveOwnerAsync(reference, meta.Namespace, cancellationToken).ConfigureAwait(false)));
        }

        var dangling = states.Where(s => s.State == OwnerState.Dangling).Select(s => s.Reference.Uid).ToHashSet();
        var waiting = states.Where(s => s.State == OwnerState.WaitingForDependents).Select(s => s.Reference.Uid).ToHashSet();
        if (states.Any(s => s.State == OwnerState.Solid))
        {
            // Solid owners keep the object; references to missing owners go, and owners going in the foreground
            // must not wait on an object they no longer decide about.
            if (dangling.Count > 0 || states.Any(s => s.State == OwnerState.WaitingForDependents && s.Reference.BlockOwnerDeletion))
            {
                await UpdateMetadataAsync(item, meta.Uid, m =>
                {
                    foreach (var r in m.OwnerReferences.Where(r => dangling.Contains(r.Uid)).ToList())
                    {
                        m.OwnerReferences.Remove(r);
                    }

                    foreach (var r in m.OwnerReferences.Where(r => waiting.Contains(r.Uid)))
                    {
                        r.BlockOwnerDeletion = false;
                    }

                    return true;
                }, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Every owner is gone or going: delete, in the foreground if this object has dependents an owner waits for.
        var policy = meta.Finalizers.Contains(Orphan) ? "Orphan"
            : (waiting.Count > 0 && _index.DependentsOf(meta.Uid).Count > 0) || meta.Finalizers.Contains(ForegroundDeletion) ? "Foreground"
            : "Background";
        ControllerLog.Trace(Logger, Name, item.ToString(), $"deleting object with propagation {policy}: its owners are gone");
        await DeleteAsync(item, meta.Uid, policy, cancellationToken).ConfigureAwait(false);
    }

    private async Task<OwnerState> ResolveOwnerAsync(OwnerReference reference, string ns, CancellationToken cancellationToken)
    {
        if (ObjectRef.OwnerOf(reference, ns) is not { } owner)
        {
            return OwnerState.Solid;
        }

        var cached = _caches[owner.Kind](owner.Namespace, owner.Name);
        IMessage? current = cached is not null && owner.Kind.Metadata(cached).Uid == reference.Uid ? cached : null;
        if (current is null)
        {
            // The cache may lag: only the api-server can say the owner is really gone.
            try
            {
                current = await Context.Client.For(owner.Kind).GetAsync(owner.Namespace, owner.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return OwnerState.Dangling;
            }
        }

        var meta = owner.Kind.Metadata(current);
        if (meta.Uid != reference.Uid)
        {
            return OwnerState.Dangling;
        }

        return meta.DeletionTimestamp is not null && meta.Finalizers.Contains(ForegroundDeletion)
            ? OwnerState.WaitingForDependents
            : OwnerState.Solid;
    }

    /// <summary>Foreground deletion: dependents go first; the owner's finalizer is removed once none that block it remain.</summary>
    private async Task DeleteDependentsAsync(ObjectRef owner, ObjectMeta meta, CancellationToken cancellationToken)
    {
        var blocking = 0;
        foreach (var dependent in _index.DependentsOf(meta.Uid))
        {
            var obj = _caches[dependent.Kind](dependent.Namespace, dependent.Name);
            if (obj is null)
            {
                continue;
            }

            var dependentMeta = dependent.Kind.Metadata(obj);
            var reference = dependentMeta.OwnerReferences.FirstOrDefault(r => r.Uid == meta.Uid);
            if (reference is null)
            {
                continue;
            }

            if (reference.BlockOwnerDeletion)
            {
                blocking++;
            }

            if (dependentMeta.DeletionTimestamp is null)
            {
                Queue.Add(dependent);
            }
        }

        if (blocking == 0)
        {
            ControllerLog.Trace(Logger, Name, owner.ToString(), "no blocking dependents remain: removing foregroundDeletion");
            await UpdateMetadataAsync(owner, meta.Uid, m => m.Finalizers.Remove(ForegroundDeletion), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Orphan propagation: dependents lose their reference to the owner, then the owner its orphan finalizer.</summary>
    private async Task OrphanDependentsAsync(ObjectRef owner, ObjectMeta meta, CancellationToken cancellationToken)
    {
        foreach (var dependent in _index.DependentsOf(meta.Uid))
        {
            await UpdateMetadataAsync(dependent, uid: null, m =>
            {
                var references = m.OwnerReferences.Where(r => r.Uid == meta.Uid).ToList();
                foreach (var r in references)
                {
                    m.OwnerReferences.Remove(r);
                }

                return references.Count > 0;
            }, cancellationToken).ConfigureAwait(false);
        }

        await UpdateMetadataAsync(owner, meta.Uid, m => m.Finalizers.Remove(Orphan), cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteAsync(ObjectRef item, string uid, string policy, CancellationToken cancellationToken)
    {
        try
        {
            await Context.Client.For(item.Kind).DeleteAsync(new DeleteRequest
            {
                Namespace = item.Namespace,
                Name = item.Name,
                PropagationPolicy = policy,
                Preconditions = new Preconditions { Uid = uid },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    /// <summary>Re-reads the object (same uid when given) and writes its metadata changed; retries conflicts.</summary>
    private async Task UpdateMetadataAsync(ObjectRef item, string? uid, Func<ObjectMeta, bool> change, CancellationToken cancellationToken)
    {
        var client = Context.Client.For(item.Kind);
        try
        {
            await RetryOnConflict.RunAsync(async ct =>
            {
                var current = await client.GetAsync(item.Namespace, item.Name, ct).ConfigureAwait(false);
                var meta = item.Kind.Metadata(current);
                if ((uid is null || meta.Uid == uid) && change(meta))
                {
                    await client.UpdateAsync(current, ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }
}
