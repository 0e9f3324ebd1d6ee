using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// kube's ControllerRefManager: decides which of the candidates an owner controls. It keeps the ones it already
/// owns that still match its selector, adopts matching orphans (adding its controller reference) and releases
/// owned ones that stopped matching (removing the reference). An owner being deleted adopts nothing; before the
/// first adoption the owner is re-read from the api-server, so a just-deleted owner cannot adopt from a stale cache.
/// </summary>
internal sealed class ControllerRefManager<T>(ResourceClient<T> client, IMessage owner, LabelSelectorExpression selector, ResourceClient owners)
    where T : class, IMessage<T>, new()
{
    private readonly ResourceKind _ownerKind = ResourceKinds.For(owner.Descriptor);
    private bool? _canAdopt;

    private ObjectMeta OwnerMeta => _ownerKind.Metadata(owner);

    public async Task<List<T>> ClaimAsync(IEnumerable<T> candidates, CancellationToken cancellationToken)
    {
        var claimed = new List<T>();
        foreach (var candidate in candidates)
        {
            var meta = client.Kind.Metadata(candidate);
            var controllerRef = OwnerReferences.ControllerOf(meta);
            if (controllerRef is not null)
            {
                if (controllerRef.Uid != OwnerMeta.Uid)
                {
                    continue;
                }

                if (selector.Matches(meta.Labels))
                {
                    claimed.Add(candidate);
                }
                else if (OwnerMeta.DeletionTimestamp is null && meta.DeletionTimestamp is null)
                {
                    await ReleaseAsync(meta, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (OwnerMeta.DeletionTimestamp is not null || meta.DeletionTimestamp is not null || !selector.Matches(meta.Labels))
            {
                continue;
            }

            if (await CanAdoptAsync(cancellationToken).ConfigureAwait(false) &&
                await AdoptAsync(meta, cancellationToken).ConfigureAwait(false) is { } adopted)
            {
                claimed.Add(adopted);
            }
        }

        return claimed;
    }

    private async Task<bool> CanAdoptAsync(CancellationToken cancellationToken)
    {
        if (_canAdopt is null)
        {
            var fresh = await GetFreshOwnerAsync(cancellationToken).ConfigureAwait(false);
            var freshMeta = fresh is null ? null : _ownerKind.Metadata(fresh);
            _canAdopt = freshMeta is not null && freshMeta.Uid == OwnerMeta.Uid && freshMeta.DeletionTimestamp is null;
        }

        return _canAdopt.Value;
    }

    private async Task<IMessage?> GetFreshOwnerAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await owners.GetAsync(OwnerMeta.Namespace, OwnerMeta.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<T?> AdoptAsync(ObjectMeta meta, CancellationToken cancellationToken) =>
        UpdateAsync(meta, m =>
        {
            if (OwnerReferences.ControllerOf(m) is not null || !selector.Matches(m.Labels))
            {
                return false;
            }

            m.OwnerReferences.Add(OwnerReferences.NewControllerRef(OwnerMeta, _ownerKind));
            return true;
        }, cancellationToken);

    private Task<T?> ReleaseAsync(ObjectMeta meta, CancellationToken cancellationToken) =>
        UpdateAsync(meta, m =>
        {
            var removed = false;
            foreach (var r in m.OwnerReferences.Where(r => r.Uid == OwnerMeta.Uid).ToList())
            {
                removed |= m.OwnerReferences.Remove(r);
            }

            return removed;
        }, cancellationToken);

    /// <summary>Re-reads and changes the object's metadata, retrying conflicts; null if it is gone or needs no change.</summary>
    private async Task<T?> UpdateAsync(ObjectMeta meta, Func<ObjectMeta, bool> change, CancellationToken cancellationToken)
    {
        try
        {
            return await RetryOnConflict.RunAsync(async ct =>
            {
                var current = await client.GetAsync(meta.Namespace, meta.Name, ct).ConfigureAwait(false);
                var currentMeta = client.Kind.Metadata(current);
                if (currentMeta.Uid != meta.Uid || currentMeta.DeletionTimestamp is not null || !change(currentMeta))
                {
                    return null;
                }

                return await client.UpdateAsync(current, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
