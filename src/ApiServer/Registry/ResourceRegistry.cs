using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Storage;
using KubeMesh.ApiServer.Validation;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// The generic registry every kind goes through (kube-apiserver's genericregistry.Store): defaulting,
/// validation, server-owned metadata, compare-and-swap writes, finalizers and graceful deletion.
/// </summary>
public sealed class ResourceRegistry(ObjectStore store, ResourceStrategies strategies, NamespaceCache namespaces, TimeProvider clock)
{
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";

    public ObjectStore Store => store;

    public async Task<IMessage> CreateAsync(ResourceKind kind, IMessage obj, bool dryRun = false)
    {
        obj = obj.Clone();
        var meta = kind.Metadata(obj);
        await PrepareCreateAsync(kind, obj, meta);
        var key = ObjectKey.Of(kind, meta);
        if (dryRun)
        {
            if (await store.GetAsync(kind, key.Field) is not null)
            {
                throw ApiErrors.AlreadyExists(kind, key.Name);
            }

            await strategies.For(kind).ReserveForCreateAsync(obj, dryRun: true);
            kind.SetTypeMeta(obj);
            return obj;
        }

        var reservation = await strategies.For(kind).ReserveForCreateAsync(obj, dryRun: false);
        try
        {
            var data = ObjectCodec.Encode(kind, obj);
            var revision = await store.CreateAsync(kind, key.Field, data);
            var created = ObjectCodec.Decode(kind, data, revision);
            namespaces.Observe(kind, key.Name, revision, created);
            return created;
        }
        catch (AlreadyExistsException)
        {
            await reservation.RevertAsync();
            throw ApiErrors.AlreadyExists(kind, key.Name);
        }
        catch
        {
            await reservation.RevertAsync();
            throw;
        }
    }

    public async Task<IMessage> GetAsync(ResourceKind kind, string? ns, string name)
    {
        var key = ObjectKey.Of(kind, ns, name);
        var stored = await store.GetAsync(kind, key.Field) ?? throw ApiErrors.NotFound(kind, name);
        return ObjectCodec.Decode(kind, stored);
    }

    public async Task<(IReadOnlyList<IMessage> Items, long Revision)> ListAsync(ResourceKind kind, ObjectFilter filter)
    {
        var prefix = kind.Namespaced && !string.IsNullOrEmpty(filter.Namespace) ? filter.Namespace + "/" : null;
        var (items, revision) = await store.ListAsync(kind, prefix);
        var objects = items.Select(i => ObjectCodec.Decode(kind, i)).Where(o => filter.Matches(kind, o)).ToList();
        return (objects, revision);
    }

    /// <summary>Replaces spec and metadata. An empty resourceVersion means "whatever is stored" (unconditional).</summary>
    public async Task<IMessage> UpdateAsync(ResourceKind kind, IMessage obj, bool dryRun = false)
    {
        var meta = kind.Metadata(obj);
        var key = ObjectKey.Of(kind, meta.Namespace, meta.Name);
        var conditional = !string.IsNullOrEmpty(meta.ResourceVersion);
        while (true)
        {
            var old = await GetAsync(kind, key.Namespace, key.Name);
            var updated = obj.Clone();
            PrepareUpdate(kind, updated, old, statusOnly: false);
            var reservation = await strategies.For(kind).ReserveForUpdateAsync(updated, old, dryRun);
            IMessage? result;
            try
            {
                result = await WriteUpdateAsync(kind, key, updated, old, conditional ? ParseRevision(meta.ResourceVersion) : null, dryRun);
            }
            catch
            {
                await reservation.RevertAsync();
                throw;
            }

            if (result is null || dryRun)
            {
                await reservation.RevertAsync();
            }
            else
            {
                await reservation.CommitAsync();
            }

            if (result is not null)
            {
                return result;
            }
        }
    }

    /// <summary>Writes only status; spec and metadata stay as stored.</summary>
    public async Task<IMessage> UpdateStatusAsync(ResourceKind kind, IMessage obj)
    {
        var meta = kind.Metadata(obj);
        var key = ObjectKey.Of(kind, meta.Namespace, meta.Name);
        var conditional = !string.IsNullOrEmpty(meta.ResourceVersion);
        while (true)
        {
            var old = await GetAsync(kind, key.Namespace, key.Name);
            var updated = old.Clone();
            kind.SetStatus(updated, kind.Status(obj)?.Clone());
            var result = await WriteUpdateAsync(kind, key, updated, old, conditional ? ParseRevision(meta.ResourceVersion) : null, dryRun: false);
            if (result is not null)
            {
                return result;
            }
        }
    }

    /// <summary>
    /// Deletes at once, or marks the object with a deletionTimestamp when finalizers or a grace period
    /// still have to run; the last finalizer's removal (or a zero-grace delete) removes it.
    /// </summary>
    public async Task<IMessage> DeleteAsync(ResourceKind kind, DeleteRequest request)
    {
        var key = ObjectKey.Of(kind, request.Namespace, request.Name);
        while (true)
        {
            var old = await GetAsync(kind, key.Namespace, key.Name);
            var meta = kind.Metadata(old);
            CheckPreconditions(kind, request, meta);
            if (kind == ResourceKinds.Namespace && meta.Name is "default" or "kube-system")
            {
                throw ApiErrors.Forbidden($"namespaces \"{meta.Name}\" is forbidden: this namespace may not be deleted");
            }

            var marked = old.Clone();
            var markedMeta = kind.Metadata(marked);
            switch (request.PropagationPolicy)
            {
                case "Orphan" when !markedMeta.Finalizers.Contains(Finalizers.Orphan):
                    markedMeta.Finalizers.Add(Finalizers.Orphan);
                    break;
                case "Foreground" when !markedMeta.Finalizers.Contains(Finalizers.ForegroundDeletion):
                    markedMeta.Finalizers.Add(Finalizers.ForegroundDeletion);
                    break;
                case "" or "Orphan" or "Foreground" or "Background":
                    break;
                default:
                    throw ApiErrors.BadRequest($"propagationPolicy: Unsupported value: \"{request.PropagationPolicy}\": supported values: \"Orphan\", \"Foreground\", \"Background\"");
            }

            var strategy = strategies.For(kind);
            // An unset grace period means "the object's own" (a pod's terminationGracePeriodSeconds), not zero.
            var grace = strategy.GracefulDeletionSeconds(old, request.HasGracePeriodSeconds ? request.GracePeriodSeconds : null);
            if (markedMeta.Finalizers.Count == 0 && grace is null && !strategy.HasSpecFinalizers(old))
            {
                try
                {
                    var deleted = await store.DeleteAsync(kind, key.Field, ParseRevision(meta.ResourceVersion));
                    namespaces.Observe(kind, key.Name, deleted, written: null);
                    await strategy.ReleaseAfterDeleteAsync(old);
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

            var now = clock.GetUtcNow();
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            if (grace is not null)
            {
                var deadline = now.AddSeconds(grace.Value);
                // A shorter grace period may replace a longer one, never the other way round.
                if (markedMeta.DeletionTimestamp is null || markedMeta.DeletionTimestamp.ToDateTimeOffset() > deadline)
                {
                    markedMeta.DeletionTimestamp = Timestamp.FromDateTimeOffset(deadline);
                    markedMeta.DeletionGracePeriodSeconds = grace.Value;
                }
            }
            else
            {
                markedMeta.DeletionTimestamp ??= Timestamp.FromDateTimeOffset(now);
                if (!markedMeta.HasDeletionGracePeriodSeconds)
                {
                    markedMeta.DeletionGracePeriodSeconds = 0;
                }
            }

            strategy.PrepareForDeletionMark(marked);
            var result = await WriteUpdateAsync(kind, key, marked, old, ParseRevision(meta.ResourceVersion), dryRun: false);
            if (result is not null)
            {
                return result;
            }
        }
    }

    /// <summary>Writes a pod's nodeName and PodScheduled condition together (pods/binding), compare-and-swap on its revision.</summary>
    public async Task<IMessage> BindAsync(KubeMesh.Api.Core.V1.Pod pod)
    {
        var kind = ResourceKinds.Pod;
        var key = ObjectKey.Of(kind, pod.Metadata.Namespace, pod.Metadata.Name);
        var old = await GetAsync(kind, key.Namespace, key.Name);
        return await WriteUpdateAsync(kind, key, pod, old, ParseRevision(pod.Metadata.ResourceVersion), dryRun: false)
            ?? throw ApiErrors.Conflict(kind, key.Name);
    }

    private async Task PrepareCreateAsync(ResourceKind kind, IMessage obj, ObjectMeta meta)
    {
        if (kind.Namespaced)
        {
            meta.Namespace = string.IsNullOrEmpty(meta.Namespace) ? "default" : meta.Namespace;
            await RequireNamespaceAsync(meta.Namespace);
        }
        else
        {
            meta.Namespace = "";
        }

        if (string.IsNullOrEmpty(meta.Name) && !string.IsNullOrEmpty(meta.GenerateName))
        {
            meta.Name = meta.GenerateName + RandomSuffix();
        }

        meta.Uid = Guid.NewGuid().ToString();
        meta.ResourceVersion = "";
        meta.CreationTimestamp = Now();
        meta.DeletionTimestamp = null;
        meta.ClearDeletionGracePeriodSeconds();
        meta.Generation = kind.HasSpec ? 1 : 0;
        strategies.For(kind).PrepareForCreate(obj);
        ObjectDefaulter.Apply(kind, obj);
        var errors = ObjectValidator.ValidateCreate(kind, obj);
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(kind, meta.Name, errors);
        }
    }

    private void PrepareUpdate(ResourceKind kind, IMessage updated, IMessage old, bool statusOnly)
    {
        var meta = kind.Metadata(updated);
        var oldMeta = kind.Metadata(old);
        meta.Namespace = oldMeta.Namespace;
        meta.Uid = oldMeta.Uid;
        meta.CreationTimestamp = oldMeta.CreationTimestamp;
        meta.DeletionTimestamp = oldMeta.DeletionTimestamp;
        if (oldMeta.HasDeletionGracePeriodSeconds)
        {
            meta.DeletionGracePeriodSeconds = oldMeta.DeletionGracePeriodSeconds;
        }
        else
        {
            meta.ClearDeletionGracePeriodSeconds();
        }

        if (!statusOnly)
        {
            strategies.For(kind).PrepareForUpdate(updated, old);
            ObjectDefaulter.Apply(kind, updated);
            var errors = ObjectValidator.ValidateUpdate(kind, updated, old);
            if (errors.Count > 0)
            {
                throw ApiErrors.Invalid(kind, meta.Name, errors);
            }
        }
    }

    /// <summary>Writes <paramref name="updated"/> over <paramref name="old"/>; null means a lost race on an unconditional write: retry.</summary>
    private async Task<IMessage?> WriteUpdateAsync(ResourceKind kind, ObjectKey key, IMessage updated, IMessage old, long? expected, bool dryRun)
    {
        var meta = kind.Metadata(updated);
        var oldMeta = kind.Metadata(old);
        var stored = ParseRevision(oldMeta.ResourceVersion);
        if (expected is not null && expected != stored)
        {
            throw ApiErrors.Conflict(kind, key.Name);
        }

        meta.Generation = Equals(kind.Spec(updated), kind.Spec(old)) ? oldMeta.Generation : oldMeta.Generation + 1;
        var data = ObjectCodec.Encode(kind, updated);
        if (data.AsSpan().SequenceEqual(ObjectCodec.Encode(kind, old)))
        {
            return old;
        }

        if (dryRun)
        {
            kind.SetTypeMeta(updated);
            return updated;
        }

        try
        {
            if (meta.DeletionTimestamp is not null && meta.Finalizers.Count == 0 && meta.DeletionGracePeriodSeconds == 0
                && !strategies.For(kind).HasSpecFinalizers(updated))
            {
                var deleted = await store.DeleteAsync(kind, key.Field, stored);
                namespaces.Observe(kind, key.Name, deleted, written: null);
                await strategies.For(kind).ReleaseAfterDeleteAsync(updated);
                return ObjectCodec.Decode(kind, data, stored);
            }

            var revision = await store.UpdateAsync(kind, key.Field, stored, data);
            var written = ObjectCodec.Decode(kind, data, revision);
            namespaces.Observe(kind, key.Name, revision, written);
            return written;
        }
        catch (ConflictException) when (expected is null)
        {
            return null;
        }
        catch (ConflictException)
        {
            throw ApiErrors.Conflict(kind, key.Name);
        }
        catch (NotFoundException)
        {
            throw ApiErrors.NotFound(kind, key.Name);
        }
    }

    private async Task RequireNamespaceAsync(string ns)
    {
        var meta = await namespaces.GetAsync(ns) ?? throw ApiErrors.NotFound(ResourceKinds.Namespace, ns);
        if (meta.DeletionTimestamp is not null)
        {
            throw ApiErrors.Forbidden($"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private static void CheckPreconditions(ResourceKind kind, DeleteRequest request, ObjectMeta meta)
    {
        if (request.Preconditions is null)
        {
            return;
        }

        if (request.Preconditions.Uid.Length > 0 && request.Preconditions.Uid != meta.Uid)
        {
            throw ApiErrors.Conflict(kind, meta.Name, $"Precondition failed: UID in precondition: {request.Preconditions.Uid}, UID in object meta: {meta.Uid}");
        }

        if (request.Preconditions.ResourceVersion.Length > 0 && request.Preconditions.ResourceVersion != meta.ResourceVersion)
        {
            throw ApiErrors.Conflict(kind, meta.Name, $"Precondition failed: ResourceVersion in precondition: {request.Preconditions.ResourceVersion}, ResourceVersion in object meta: {meta.ResourceVersion}");
        }
    }

    internal static long ParseRevision(string resourceVersion) =>
        long.TryParse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture, out var rev) && rev >= 0
            ? rev
            : throw ApiErrors.BadRequest($"metadata.resourceVersion: Invalid value: \"{resourceVersion}\": must be a revision number");

    /// <summary>Kubernetes' metav1.Time has second precision.</summary>
    private Timestamp Now()
    {
        var now = clock.GetUtcNow();
        return Timestamp.FromDateTimeOffset(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
    }

    private static string RandomSuffix() =>
        string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = NameChars[Random.Shared.Next(NameChars.Length)];
            }
        });
}
