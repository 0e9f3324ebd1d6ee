using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Registry.Deletion;

/// <summary>
/// The Delete verb (kube-apiserver's genericregistry.Store.Delete with rest.BeforeDelete): removes the object at
/// once, or marks it with a deletionTimestamp while finalizers (the garbage collector's, asked for by the
/// propagation policy, or the kind's own) or a grace period still have to run. The registry's update removes
/// it once the last finalizer is released or a zero-grace delete comes.
/// </summary>
public sealed class ResourceDeleter(RegistryStore objects, ResourceStrategies strategies, Authorization.Admission admission, TimeProvider clock)
{
    public async Task<IMessage> DeleteAsync(ResourceKind kind, DeleteRequest request)
    {
        var key = ObjectKey.Of(kind, request.Namespace, request.Name);
        var strategy = strategies.For(kind);
        using var activity = RegistryTracing.Start("delete", kind, request.Namespace, request.Name);
        while (true)
        {
            var read = await objects.ReadAsync(kind, key);
            var old = read.Object;
            var meta = kind.Metadata(old);
            DeletePreconditions.Check(kind, request.Preconditions, meta);
            strategy.CheckDelete(old);
            admission.Validate(Authorization.AdmissionOperation.Delete, kind, "", null, old);

            var marked = old.Clone();
            var markedMeta = kind.Metadata(marked);
            DeletionPropagation.AddFinalizer(markedMeta, request.PropagationPolicy);

            // An unset grace period means "the object's own" (a pod's terminationGracePeriodSeconds), not zero.
            var grace = strategy.GracefulDeletionSeconds(old, request.HasGracePeriodSeconds ? request.GracePeriodSeconds : null);
            var revision = ResourceVersions.Parse(meta.ResourceVersion);
            if (markedMeta.Finalizers.Count == 0 && grace is null && !strategy.HasSpecFinalizers(old))
            {
                try
                {
                    await objects.RemoveAsync(kind, key, old, revision);
                    return old;
                }
                catch (ConflictException)
                {
                    continue;
                }
                catch (NotFoundException)
                {
                    throw ApiErrors.NotFound(kind, key.Name);
                }
            }

            MarkForDeletion(markedMeta, grace, MetaTime.Now(clock));
            strategy.PrepareForDeletionMark(marked);
            var result = await objects.UpdateAsync(kind, key, marked, read, revision, dryRun: false);
            if (result is not null)
            {
                return result;
            }
        }
    }

    /// <summary>Sets deletionTimestamp to when the grace period ends (now without one) and deletionGracePeriodSeconds.</summary>
    private static void MarkForDeletion(ObjectMeta meta, long? grace, DateTimeOffset now)
    {
        if (grace is not null)
        {
            var deadline = now.AddSeconds(grace.Value);
            // A shorter grace period may replace a longer one, never the other way round.
            if (meta.DeletionTimestamp is null || meta.DeletionTimestamp.ToDateTimeOffset() > deadline)
            {
                meta.DeletionTimestamp = Timestamp.FromDateTimeOffset(deadline);
                meta.DeletionGracePeriodSeconds = grace.Value;
            }

            return;
        }

        meta.DeletionTimestamp ??= Timestamp.FromDateTimeOffset(now);
        if (!meta.HasDeletionGracePeriodSeconds)
        {
            meta.DeletionGracePeriodSeconds = 0;
        }
    }
}
