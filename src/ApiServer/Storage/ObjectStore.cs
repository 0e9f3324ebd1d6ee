using System.Diagnostics;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Storage.Encryption;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// The api-server's only door to the store (as kube-apiserver's storage.Interface is to etcd): atomic
/// create/update/delete with compare-and-swap on the revision, consistent lists, and the watch log. A write made
/// inside a sampled span stores that span's traceparent with its log entry, so the change carries its trace to every
/// watcher (see <see cref="StoreScripts"/>); every request's latency is published as etcd_request_duration_seconds.
/// </summary>
public sealed class ObjectStore(IConnectionMultiplexer redis, IOptions<StoreOptions> options, StoreMetrics? metrics = null, StorageTransformers? transformers = null)
{
    private readonly StoreKeys _keys = new(options.Value.KeyPrefix);
    private readonly IDatabase _db = redis.GetDatabase();
    private static readonly StoreScript Write = new(StoreScripts.Write);
    private readonly int _historyLimit = options.Value.HistoryLimit;

    public StoreKeys Keys => _keys;

    public ISubscriber Subscriber => redis.GetSubscriber();

    public Task<long> CreateAsync(ResourceKind kind, string field, byte[] data) =>
        WriteAsync(kind, "create", field, expected: null, data);

    /// <summary>Replaces the object if its revision is still <paramref name="expected"/> (null: whatever it is).</summary>
    public Task<long> UpdateAsync(ResourceKind kind, string field, long? expected, byte[] data) =>
        WriteAsync(kind, "update", field, expected, data);

    public Task<long> DeleteAsync(ResourceKind kind, string field, long? expected) =>
        WriteAsync(kind, "delete", field, expected, []);

    public async Task<StoredObject?> GetAsync(ResourceKind kind, string field)
    {
        var started = Stopwatch.GetTimestamp();
        var value = await _db.HashGetAsync(_keys.Objects(kind), field);
        metrics?.Request(StoreMetrics.Get, kind, started);
        return value.IsNull ? null : Decode(kind, field, value);
    }

    /// <summary>Whether the object as stored was encrypted with another key or provider than writes now (a rotation left it behind).</summary>
    public async Task<bool> IsStaleAsync(ResourceKind kind, string field)
    {
        if (transformers?.For(kind) is not { } transformer)
        {
            return false;
        }

        var value = await _db.HashGetAsync(_keys.Objects(kind), field);
        if (value.IsNull)
        {
            return false;
        }

        ReadOnlyMemory<byte> bytes = (byte[])value!;
        return transformer.IsStale(bytes.Span[(bytes.Span.IndexOf((byte)'\n') + 1)..]);
    }

    /// <summary>Every object of the kind with the revision the snapshot was taken at (one MULTI/EXEC).</summary>
    public async Task<(IReadOnlyList<StoredObject> Items, long Revision)> ListAsync(ResourceKind kind, string? fieldPrefix)
    {
        var started = Stopwatch.GetTimestamp();
        var tx = _db.CreateTransaction();
        var revision = tx.StringGetAsync(_keys.Revision);
        var all = tx.HashGetAllAsync(_keys.Objects(kind));
        await tx.ExecuteAsync();
        metrics?.Request(StoreMetrics.List, kind, started);
        var rev = await revision;
        return (InKeyOrder(Decoded(kind, await all, fieldPrefix)), rev.IsNull ? 0 : (long)rev);
    }

    /// <summary>
    /// Every object of the kind as it was at <paramref name="revision"/>, as etcd reads a key range at a revision: the
    /// objects now, with every later log entry undone (a key first written after it is dropped, one changed or deleted
    /// after it is taken back to the state the entry kept). One MULTI/EXEC, so no write falls between the objects and
    /// the log. Expired when the log no longer reaches back to the revision; a revision the store has not reached yet is
    /// refused (etcd's "required revision is a future revision").
    /// </summary>
    public async Task<IReadOnlyList<StoredObject>> ListAtAsync(ResourceKind kind, string? fieldPrefix, long revision)
    {
        var started = Stopwatch.GetTimestamp();
        var tx = _db.CreateTransaction();
        var currentTask = tx.StringGetAsync(_keys.Revision);
        var compactedTask = tx.StringGetAsync(_keys.Compacted(kind));
        var all = tx.HashGetAllAsync(_keys.Objects(kind));
        var laterTask = tx.SortedSetRangeByScoreAsync(_keys.Log(kind), revision, double.PositiveInfinity, Exclude.Start);
        await tx.ExecuteAsync();
        metrics?.Request(StoreMetrics.List, kind, started);
        var current = await currentTask;
        if (revision > (current.IsNull ? 0 : (long)current))
        {
            throw new FutureRevisionException(revision, current.IsNull ? 0 : (long)current);
        }

        var compacted = await compactedTask;
        if (!compacted.IsNull && revision < (long)compacted)
        {
            throw new ExpiredException(revision, (long)compacted + 1);
        }

        var items = Decoded(kind, await all, fieldPrefix).ToDictionary(o => o.Field, StringComparer.Ordinal);

        // Oldest first: a key's first entry after the revision holds its state at the revision.
        var undone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in await laterTask)
        {
            var e = StoreEvent.Parse((byte[])raw!);
            if (e.Field is not { } field || e.PreviousRevision < 0)
            {
                // Written before the log kept keys: the revision cannot be rebuilt.
                throw new ExpiredException(revision, e.Revision);
            }

            if (!undone.Add(field) || (fieldPrefix is not null && !field.StartsWith(fieldPrefix, StringComparison.Ordinal)))
            {
                continue;
            }

            if (e.Type == StoreEvent.Added)
            {
                items.Remove(field);
            }
            else
            {
                var data = e.Previous ?? e.Object;
                items[field] = new StoredObject(field, e.PreviousRevision, transformers?.For(kind) is { } transformer ? transformer.FromStorage(data, _keys.Objects(kind)!) : data);
            }
        }

        return InKeyOrder(items.Values);
    }

    public async Task<long> CurrentRevisionAsync()
    {
        var rev = await _db.StringGetAsync(_keys.Revision);
        return rev.IsNull ? 0 : (long)rev;
    }

    /// <summary>Log entries of the kind with revision in (after, upTo], oldest first; expired if the log no longer reaches back.</summary>
    public async Task<IReadOnlyList<StoreEvent>> ReadLogAsync(ResourceKind kind, long after, long upTo = long.MaxValue, int take = 1000) =>
        (await ReadLogAtAsync(kind, after, upTo, take)).Events;

    /// <summary>
    /// The kind's log entries after <paramref name="after"/>, with the store's revision read in the same transaction:
    /// every write is one script that takes its revision and appends its entry, so when fewer than
    /// <paramref name="take"/> entries come back, they are all the kind's events up to that revision (what etcd's
    /// progress notification tells a watcher).
    /// </summary>
    public async Task<(IReadOnlyList<StoreEvent> Events, long Revision)> ReadLogAtAsync(ResourceKind kind, long after, long upTo = long.MaxValue, int take = 1000)
    {
        // One MULTI/EXEC: read apart, a write could trim the log between the marker check and the range
        // read, and the reader would skip the trimmed events without being told it had expired.
        var stop = upTo == long.MaxValue ? double.PositiveInfinity : upTo;
        var tx = _db.CreateTransaction();
        var compactedTask = tx.StringGetAsync(_keys.Compacted(kind));
        var entriesTask = tx.SortedSetRangeByScoreAsync(_keys.Log(kind), after, stop, Exclude.Start, Order.Ascending, 0, take);
        var revisionTask = tx.StringGetAsync(_keys.Revision);
        await tx.ExecuteAsync();
        var compacted = await compactedTask;
        if (!compacted.IsNull && after < (long)compacted)
        {
            throw new ExpiredException(after, (long)compacted + 1);
        }

        var entries = await entriesTask;
        var revision = await revisionTask;
        return (entries.Select(e => FromStorage(kind, StoreEvent.Parse((byte[])e!))).ToArray(), revision.IsNull ? 0 : (long)revision);
    }

    /// <summary>A log entry as the store holds it (and publishes it), with its objects decrypted where the kind is encrypted at rest.</summary>
    public StoreEvent FromStorage(ResourceKind kind, StoreEvent e) => transformers?.For(kind) is not { } transformer ? e : e with
    {
        Object = transformer.FromStorage(e.Object, _keys.Objects(kind)!),
        Previous = e.Previous is { } previous ? transformer.FromStorage(previous, _keys.Objects(kind)!) : null,
    };

    private async Task<long> WriteAsync(ResourceKind kind, string op, string field, long? expected, byte[] data)
    {
        var started = Stopwatch.GetTimestamp();
        if (data.Length > 0 && transformers?.For(kind) is { } transformer)
        {
            data = transformer.ToStorage(data, _keys.Objects(kind)!);
        }

        var traceParent = Activity.Current is { Recorded: true, IdFormat: ActivityIdFormat.W3C } traced ? traced.Id! : "";
        var result = (RedisResult[])(await Write.EvaluateAsync(
            _db,
            [_keys.Objects(kind), _keys.Revision, _keys.Log(kind), _keys.Compacted(kind)],
            [op, field, expected?.ToString() ?? "", data, _historyLimit, _keys.EventsChannelName(kind), traceParent]))!;
        metrics?.Request(op, kind, started);
        var code = (long)result[0];
        return code switch
        {
            -1 => throw new AlreadyExistsException(Describe(kind, field)),
            -2 => throw new NotFoundException(Describe(kind, field)),
            -3 => throw new ConflictException(Describe(kind, field), expected ?? 0, long.Parse((string)result[1]!)),
            _ => code,
        };
    }

    private static string Describe(ResourceKind kind, string field) => $"{kind.Plural} \"{field}\"";

    /// <summary>The hash's objects whose key starts with <paramref name="fieldPrefix"/> (null: all), decoded.</summary>
    private IEnumerable<StoredObject> Decoded(ResourceKind kind, HashEntry[] entries, string? fieldPrefix) =>
        entries.Select(e => (Field: (string)e.Name!, e.Value))
            .Where(e => fieldPrefix is null || e.Field.StartsWith(fieldPrefix, StringComparison.Ordinal))
            .Select(e => Decode(kind, e.Field, e.Value));

    private static List<StoredObject> InKeyOrder(IEnumerable<StoredObject> objects)
    {
        var list = objects.ToList();
        list.Sort((x, y) => string.CompareOrdinal(x.Field, y.Field));
        return list;
    }

    private StoredObject Decode(ResourceKind kind, string field, RedisValue value)
    {
        ReadOnlyMemory<byte> bytes = (byte[])value!;
        var nl = bytes.Span.IndexOf((byte)'\n');
        var data = bytes[(nl + 1)..];
        if (transformers?.For(kind) is { } transformer)
        {
            data = transformer.FromStorage(data, _keys.Objects(kind)!);
        }

        return new StoredObject(field, long.Parse(bytes.Span[..nl]), data);
    }
}
