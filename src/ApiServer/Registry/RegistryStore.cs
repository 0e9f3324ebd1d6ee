using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// The registry's side of the store: decoded reads, and the compare-and-swap writes every verb ends in. An
/// update that leaves a deleted object nothing more to wait for (no finalizers, no grace period left) removes
/// it instead, as kube-apiserver's ShouldDeleteDuringUpdate; every stored change is reported to its kind's strategy.
/// </summary>
public sealed class RegistryStore(ObjectStore store, ResourceStrategies strategies, IEnumerable<IStoredObserver> observers)
{
    private readonly IStoredObserver[] _observers = observers.ToArray();

    public async Task<IMessage> GetAsync(ResourceKind kind, ObjectKey key) => (await ReadAsync(kind, key)).Object;

    /// <summary>
    /// The stored object decoded, with the bytes it was decoded from: a read-modify-write hands both to
    /// <see cref="UpdateAsync"/>, which tells an unchanged object by its bytes without encoding the old one again.
    /// </summary>
    public async Task<StoredRead> ReadAsync(ResourceKind kind, ObjectKey key)
    {
        var stored = await store.GetAsync(kind, key.Field) ?? throw ApiErrors.NotFound(kind, key.Name);
        return new StoredRead(ObjectCodec.Decode(kind, stored), stored.Data);
    }

    public async Task<bool> ExistsAsync(ResourceKind kind, ObjectKey key) => await store.GetAsync(kind, key.Field) is not null;

    /// <summary>The kind's objects as stored (undecoded, in key order) now, with the revision they were read at.</summary>
    public Task<(IReadOnlyList<StoredObject> Items, long Revision)> ListStoredAsync(ResourceKind kind, string? fieldPrefix) =>
        store.ListAsync(kind, fieldPrefix);

    /// <summary>The kind's objects as stored at an earlier revision, in key order.</summary>
    /// <exception cref="ExpiredException">The store's log no longer reaches back to <paramref name="revision"/>.</exception>
    public Task<IReadOnlyList<StoredObject>> ListStoredAtAsync(ResourceKind kind, string? fieldPrefix, long revision) =>
        store.ListAtAsync(kind, fieldPrefix, revision);

    /// <summary>Stores <paramref name="obj"/>, which the caller hands over: it becomes the created object returned.</summary>
    /// <exception cref="AlreadyExistsException">An object of that name is stored.</exception>
    public async Task<IMessage> CreateAsync(ResourceKind kind, ObjectKey key, IMessage obj)
    {
        var data = ObjectCodec.EncodeOwned(kind, obj);
        var revision = await store.CreateAsync(kind, key.Field, data);
        var created = ObjectCodec.Stored(kind, obj, revision);
        strategies.For(kind).AfterStored(key.Name, revision, created);
        Notify(kind, key, revision, created);
        return created;
    }

    /// <summary>
    /// Writes <paramref name="updated"/>, which the caller hands over (it becomes the object returned), over
    /// <paramref name="old"/>; null means a lost race on an unconditional write: retry. An update that changes
    /// nothing stores nothing and returns the old object (kube-apiserver's GuaranteedUpdate): the new object's
    /// encoding, needed for the write anyway, is compared with the bytes the old one was read from.
    /// </summary>
    public async Task<IMessage?> UpdateAsync(ResourceKind kind, ObjectKey key, IMessage updated, StoredRead old, long? expected, bool dryRun)
    {
        var meta = kind.Metadata(updated);
        var oldMeta = kind.Metadata(old.Object);
        var stored = ResourceVersions.Parse(oldMeta.ResourceVersion);
        if (expected is not null && expected != stored)
        {
            throw ApiErrors.Conflict(kind, key.Name);
        }

        meta.Generation = Equals(kind.Spec(updated), kind.Spec(old.Object)) ? oldMeta.Generation : oldMeta.Generation + 1;
        var resourceVersion = meta.ResourceVersion;
        var data = ObjectCodec.EncodeOwned(kind, updated);
        // An unchanged object is not written again, unless it is stored under an encryption key rotated out since.
        if (data.AsSpan().SequenceEqual(old.Data.Span) && !await store.IsStaleAsync(kind, key.Field))
        {
            return old.Object;
        }

        if (dryRun)
        {
            meta.ResourceVersion = resourceVersion;
            kind.SetTypeMeta(updated);
            return updated;
        }

        try
        {
            var strategy = strategies.For(kind);
            if (meta.DeletionTimestamp is not null && meta.Finalizers.Count == 0 && meta.DeletionGracePeriodSeconds == 0
                && !strategy.HasSpecFinalizers(updated))
            {
                var removed = ObjectCodec.Stored(kind, updated, stored);
                await RemoveAsync(kind, key, removed, stored);
                return removed;
            }

            var revision = await store.UpdateAsync(kind, key.Field, stored, data);
            var written = ObjectCodec.Stored(kind, updated, revision);
            strategy.AfterStored(key.Name, revision, written);
            Notify(kind, key, revision, written);
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

    /// <summary>Removes the object stored at <paramref name="revision"/> and gives back what it held.</summary>
    /// <exception cref="ConflictException">The stored revision is another.</exception>
    /// <exception cref="NotFoundException">Nothing is stored.</exception>
    public async Task RemoveAsync(ResourceKind kind, ObjectKey key, IMessage removed, long revision)
    {
        var strategy = strategies.For(kind);
        var deleted = await store.DeleteAsync(kind, key.Field, revision);
        strategy.AfterStored(key.Name, deleted, written: null);
        Notify(kind, key, deleted, written: null);
        await strategy.ReleaseAfterDeleteAsync(removed);
    }

    private void Notify(ResourceKind kind, ObjectKey key, long revision, IMessage? written)
    {
        foreach (var observer in _observers)
        {
            observer.AfterStored(kind, key, revision, written);
        }
    }
}

/// <summary>An object as read from the store, and the (decrypted) bytes it was decoded from.</summary>
public sealed record StoredRead(IMessage Object, ReadOnlyMemory<byte> Data);
