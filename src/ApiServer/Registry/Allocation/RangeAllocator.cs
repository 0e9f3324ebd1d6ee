using System.Globalization;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>
/// Hands out items of one range (cluster IPs or node ports), recording each owner in a store hash
/// (/registry/ranges/serviceips, /registry/ranges/servicenodeports) so that every api-server sharing
/// the store, and this one after a restart, sees the same allocations.
/// </summary>
public sealed class RangeAllocator(IDatabase db, RedisKey key, AllocationRange range)
{
    public AllocationRange Range => range;

    public RedisKey Key => key;

    public async Task<AllocationOutcome> AllocateAsync(string item, string owner)
    {
        if (!range.Contains(item))
        {
            return AllocationOutcome.NotInRange;
        }

        var taken = (long)await db.ScriptEvaluateAsync(RangeScripts.Allocate, [key], [item, owner]);
        return taken == 1 ? AllocationOutcome.Allocated : AllocationOutcome.AlreadyAllocated;
    }

    /// <summary>Takes any free item; null when the range is full.</summary>
    public async Task<string?> AllocateNextAsync(string owner)
    {
        var result = await db.ScriptEvaluateAsync(RangeScripts.AllocateNext, [key],
            [owner, range.Size, Random.Shared.Next(range.Size), range.IsAddressRange ? "ip" : "port", range.First.ToString(CultureInfo.InvariantCulture)]);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>Whether the item could be allocated now (dry runs reserve nothing).</summary>
    public async Task<AllocationOutcome> CheckAsync(string item, string owner)
    {
        if (!range.Contains(item))
        {
            return AllocationOutcome.NotInRange;
        }

        var holder = await db.HashGetAsync(key, item);
        return holder.IsNull || holder == owner ? AllocationOutcome.Allocated : AllocationOutcome.AlreadyAllocated;
    }

    public async Task ReleaseAsync(string item, string owner) =>
        await db.ScriptEvaluateAsync(RangeScripts.Release, [key], [item, owner]);

    /// <summary>Every allocation, item -> owner (for repair).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ListAsync()
    {
        var entries = await db.HashGetAllAsync(key);
        return entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
    }
}
