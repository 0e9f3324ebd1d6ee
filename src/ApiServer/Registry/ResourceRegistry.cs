using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Authorization;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Storage;
using KubeMesh.ApiServer.Validation;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// The generic registry every kind goes through for reads and writes (kube-apiserver's genericregistry.Store):
/// defaulting, validation, server-owned metadata and compare-and-swap writes, with each kind's differences in its
/// <see cref="ResourceStrategy"/>. Deletion is <see cref="Deletion.ResourceDeleter"/>'s. Every write is a span
/// (<see cref="RegistryTracing"/>) whose context the store keeps with the change.
/// </summary>
public sealed class ResourceRegistry(RegistryStore objects, ResourceStrategies strategies, Admission admission, ServiceAccountAdmission serviceAccounts, TimeProvider clock)
{
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";

    public async Task<IMessage> CreateAsync(ResourceKind kind, IMessage obj, bool dryRun = false)
    {
        obj = obj.Clone();
        var meta = kind.Metadata(obj);
        using var activity = RegistryTracing.Start("create", kind, meta.Namespace, meta.Name.Length > 0 ? meta.Name : meta.GenerateName, dryRun: dryRun);
        await PrepareCreateAsync(kind, obj, meta);
        admission.Validate(AdmissionOperation.Create, kind, "", obj, null);
        RegistryTracing.Rename(activity, "create", kind, meta.Namespace, meta.Name);
        var key = ObjectKey.Of(kind, meta);
        var strategy = strategies.For(kind);
        if (dryRun)
        {
            if (await objects.ExistsAsync(kind, key))
            {
                throw ApiErrors.AlreadyExists(kind, key.Name);
            }

            await strategy.ReserveForCreateAsync(obj, dryRun: true);
            kind.SetTypeMeta(obj);
            return obj;
        }

        var reservation = await strategy.ReserveForCreateAsync(obj, dryRun: false);
        try
        {
            return await objects.CreateAsync(kind, key, obj);
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

    public Task<IMessage> GetAsync(ResourceKind kind, string? ns, string name) => objects.GetAsync(kind, ObjectKey.Of(kind, ns, name));

    /// <summary>The stored object and the bytes it was read from, for a read-modify-write such as <see cref="BindAsync"/>.</summary>
    public Task<StoredRead> ReadAsync(ResourceKind kind, string? ns, string name) => objects.ReadAsync(kind, ObjectKey.Of(kind, ns, name));

    /// <summary>Every object the filter matches, now, in one piece: <see cref="ListPageAsync"/> with no limit.</summary>
    public async Task<(IReadOnlyList<IMessage> Items, long Revision)> ListAsync(ResourceKind kind, ObjectFilter filter)
    {
        var page = await ListPageAsync(kind, filter, new ListRequest());
        return (page.Items, page.Revision);
    }

    /// <summary>
    /// One page of the objects the filter matches, as kube-apiserver answers limit and continue: at most
    /// <paramref name="limit"/> objects (0: all), in key order, and a token for the rest. A first page is read at the
    /// store's revision now, or with resourceVersionMatch Exact at the revision asked for; the token carries that
    /// revision, and every later page is read at it, so objects written between the pages show in none of them.
    /// </summary>
    public async Task<ListPage> ListPageAsync(ResourceKind kind, ObjectFilter filter, ListRequest request)
    {
        var (limit, continueToken, resourceVersion, match) = (request.Limit, request.Continue, request.ResourceVersion, request.ResourceVersionMatch);
        if (limit < 0)
        {
            throw ApiErrors.BadRequest($"limit: Invalid value: {limit}: must be greater than or equal to 0");
        }

        var asked = ValidateListVersion(resourceVersion, match, continueToken);
        var from = string.IsNullOrEmpty(continueToken) ? null : ListContinuation.Parse(continueToken);
        var prefix = kind.Namespaced && !string.IsNullOrEmpty(filter.Namespace) ? filter.Namespace + "/" : null;
        IReadOnlyList<StoredObject> stored;
        long revision;
        if (from is { Revision: > 0 } || match == "Exact")
        {
            revision = from?.Revision ?? asked;
            try
            {
                stored = await objects.ListStoredAtAsync(kind, prefix, revision);
            }
            catch (ExpiredException ex)
            {
                throw ApiErrors.Expired(from is null
                    ? $"too old resource version: {revision} ({ex.Oldest})"
                    : "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }
            catch (FutureRevisionException ex)
            {
                throw from is null ? ApiErrors.TooLargeResourceVersion(revision, ex.Current) : ApiErrors.BadRequest("invalid continue token: " + ex.Message);
            }
        }
        else
        {
            (stored, revision) = await objects.ListStoredAsync(kind, prefix);
            if (asked > revision)
            {
                // Not older than a revision the store has not reached: kube-apiserver waits for its cache, then gives up.
                throw ApiErrors.TooLargeResourceVersion(asked, revision);
            }
        }

        var start = from?.Start ?? "";
        var i = 0;
        while (i < stored.Count && string.CompareOrdinal(stored[i].Field, start) < 0)
        {
            i++;
        }

        var items = new List<IMessage>();
        for (; i < stored.Count; i++)
        {
            var obj = ObjectCodec.Decode(kind, stored[i]);
            if (!filter.Matches(kind, obj))
            {
                continue;
            }

            if (limit > 0 && items.Count == limit)
            {
                var unfiltered = filter.Labels.IsEverything && filter.Fields.IsEverything;
                var next = new ListContinuation(from?.Revision < 0 ? -1 : revision, stored[i].Field);
                return new ListPage(items, revision, next.Encode(), unfiltered ? stored.Count - i : null);
            }

            items.Add(obj);
        }

        return new ListPage(items, revision, "", null);
    }

    /// <summary>
    /// The revision a list's resourceVersion names (0: none, or "0"), checked as kube's ValidateListOptions checks it:
    /// resourceVersionMatch needs a resourceVersion and no continue, Exact needs a revision other than "0", and a
    /// continue token carries its own revision.
    /// </summary>
    private static long ValidateListVersion(string resourceVersion, string match, string continueToken)
    {
        string? forbidden = match switch
        {
            "" => null,
            _ when resourceVersion.Length == 0 => "resourceVersionMatch is forbidden unless resourceVersion is provided",
            _ when continueToken.Length > 0 => "resourceVersionMatch is forbidden when continue is provided",
            "Exact" when resourceVersion == "0" => "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            "Exact" or "NotOlderThan" => null,
            _ => throw ApiErrors.InvalidListOptions(FieldError.NotSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan"])),
        };
        if (forbidden is not null)
        {
            throw ApiErrors.InvalidListOptions(FieldError.Forbidden("resourceVersionMatch", forbidden));
        }

        if (continueToken.Length > 0 && resourceVersion.Length > 0 && resourceVersion != "0")
        {
            throw ApiErrors.BadRequest("specifying resource version is not allowed when using continue");
        }

        return resourceVersion.Length == 0 ? 0
            : long.TryParse(resourceVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision) ? revision
            : throw ApiErrors.InvalidListOptions(FieldError.Invalid("resourceVersion", resourceVersion, "must be a revision number"));
    }

    /// <summary>Replaces spec and metadata. An empty resourceVersion means "whatever is stored" (unconditional).</summary>
    public async Task<IMessage> UpdateAsync(ResourceKind kind, IMessage obj, bool dryRun = false)
    {
        var meta = kind.Metadata(obj);
        var key = ObjectKey.Of(kind, meta.Namespace, meta.Name);
        var strategy = strategies.For(kind);
        using var activity = RegistryTracing.Start("update", kind, meta.Namespace, meta.Name, dryRun: dryRun);
        while (true)
        {
            var old = await objects.ReadAsync(kind, key);
            var updated = obj.Clone();
            PrepareUpdate(kind, updated, old.Object);
            admission.Validate(AdmissionOperation.Update, kind, "", updated, old.Object);
            var reservation = await strategy.ReserveForUpdateAsync(updated, old.Object, dryRun);
            IMessage? result;
            try
            {
                result = await objects.UpdateAsync(kind, key, updated, old, ExpectedRevision(meta), dryRun);
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
        using var activity = RegistryTracing.Start("update", kind, meta.Namespace, meta.Name, "status");
        while (true)
        {
            var old = await objects.ReadAsync(kind, key);
            var updated = CloneWithoutStatus(kind, old.Object);
            kind.SetStatus(updated, kind.Status(obj)?.Clone());
            admission.Validate(AdmissionOperation.Update, kind, "status", updated, old.Object);
            if (await objects.UpdateAsync(kind, key, updated, old, ExpectedRevision(meta), dryRun: false) is { } result)
            {
                return result;
            }
        }
    }

    /// <summary>
    /// Writes a pod's nodeName and PodScheduled condition together (pods/binding), compare-and-swap on the revision
    /// of <paramref name="old"/>, the read <paramref name="pod"/> was made from (a copy the caller hands over).
    /// </summary>
    public async Task<IMessage> BindAsync(KubeMesh.Api.Core.V1.Pod pod, StoredRead old)
    {
        var kind = ResourceKinds.Pod;
        var key = ObjectKey.Of(kind, pod.Metadata.Namespace, pod.Metadata.Name);
        using var activity = RegistryTracing.Start("create", kind, pod.Metadata.Namespace, pod.Metadata.Name, "binding");
        activity?.SetTag("k8s.node.name", pod.Spec.NodeName);
        return await objects.UpdateAsync(kind, key, pod, old, ResourceVersions.Parse(kind.Metadata(old.Object).ResourceVersion), dryRun: false)
            ?? throw ApiErrors.Conflict(kind, key.Name);
    }

    /// <summary>A copy of <paramref name="obj"/> (just read, held by no one else) without the status it is about to replace.</summary>
    private static IMessage CloneWithoutStatus(ResourceKind kind, IMessage obj)
    {
        var status = kind.Status(obj);
        kind.SetStatus(obj, null);
        try
        {
            return obj.Clone();
        }
        finally
        {
            kind.SetStatus(obj, status);
        }
    }

    /// <summary>The revision a write must find stored: the caller's resourceVersion, or none (unconditional) when empty.</summary>
    private static long? ExpectedRevision(ObjectMeta meta) =>
        string.IsNullOrEmpty(meta.ResourceVersion) ? null : ResourceVersions.Parse(meta.ResourceVersion);

    private async Task PrepareCreateAsync(ResourceKind kind, IMessage obj, ObjectMeta meta)
    {
        if (kind.Namespaced)
        {
            meta.Namespace = string.IsNullOrEmpty(meta.Namespace) ? "default" : meta.Namespace;
            await strategies.Namespaces.RequireAcceptsCreatesAsync(meta.Namespace);
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
        meta.CreationTimestamp = MetaTime.NowStamp(clock);
        meta.DeletionTimestamp = null;
        meta.ClearDeletionGracePeriodSeconds();
        meta.Generation = kind.HasSpec ? 1 : 0;
        if (obj is Api.Core.V1.Pod pod)
        {
            await serviceAccounts.AdmitAsync(pod);
        }

        strategies.For(kind).PrepareForCreate(obj);
        ObjectDefaulter.Apply(kind, obj);
        var errors = ObjectValidator.ValidateCreate(kind, obj);
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(kind, meta.Name, errors);
        }
    }

    private void PrepareUpdate(ResourceKind kind, IMessage updated, IMessage old)
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

        strategies.For(kind).PrepareForUpdate(updated, old);
        ObjectDefaulter.Apply(kind, updated);
        var errors = ObjectValidator.ValidateUpdate(kind, updated, old);
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(kind, meta.Name, errors);
        }
    }

    internal static string RandomSuffix() =>
        string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = NameChars[Random.Shared.Next(NameChars.Length)];
            }
        });
}
