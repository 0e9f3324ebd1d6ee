using KubeMesh.ApiServer.Registry.Allocation;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>
/// What a write took from shared pools before it reached the store, and what it gives back once it is
/// stored (kube-apiserver's service REST "transaction"): a failed write reverts, a stored one commits.
/// </summary>
public sealed class Reservation
{
    private readonly List<(RangeAllocator Allocator, string Item, string Owner)> _taken = [];
    private readonly List<(RangeAllocator Allocator, string Item, string Owner)> _released = [];

    public void Took(RangeAllocator allocator, string item, string owner) => _taken.Add((allocator, item, owner));

    public void ReleaseOnCommit(RangeAllocator allocator, string item, string owner) => _released.Add((allocator, item, owner));

    public async Task CommitAsync()
    {
        foreach (var (allocator, item, owner) in _released)
        {
            await allocator.ReleaseAsync(item, owner);
        }
    }

    public async Task RevertAsync()
    {
        foreach (var (allocator, item, owner) in _taken)
        {
            await allocator.ReleaseAsync(item, owner);
        }
    }
}
