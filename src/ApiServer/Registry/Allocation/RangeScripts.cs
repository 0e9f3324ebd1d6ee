namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>
/// Allocation steps as Lua scripts, so that "is it free?" and "take it" are one atomic step even with
/// several api-servers on one store (kube-apiserver does the same with a CAS on its etcd bitmap).
/// The hash maps item (address or port, as written in the Service) -> owner ("namespace/name/uid").
/// </summary>
internal static class RangeScripts
{
    // KEYS: 1 allocation hash. ARGV: 1 item, 2 owner. Returns 1 if taken now or already ours, 0 if someone else holds it.
    public const string Allocate = """
        local holder = redis.call('HGET', KEYS[1], ARGV[1])
        if holder == false then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          return 1
        end
        if holder == ARGV[2] then return 1 end
        return 0
        """;

    // KEYS: 1 allocation hash. ARGV: 1 owner, 2 range size, 3 offset to start looking at,
    // 4 "ip" or "port", 5 the first item as a number. Returns the item taken, or false when the range is full. Starting at a random offset spreads
    // allocations as kube's random allocator does, so a released address is not handed out again at once.
    public const string AllocateNext = """
        local size = tonumber(ARGV[2])
        if redis.call('HLEN', KEYS[1]) >= size then return false end
        local first = tonumber(ARGV[5])
        local function item(offset)
          local v = first + offset
          if ARGV[4] == 'ip' then
            return string.format('%d.%d.%d.%d', math.floor(v / 16777216) % 256, math.floor(v / 65536) % 256, math.floor(v / 256) % 256, v % 256)
          end
          return string.format('%d', v)
        end
        local start = tonumber(ARGV[3])
        for i = 0, size - 1 do
          local candidate = item((start + i) % size)
          if redis.call('HSETNX', KEYS[1], candidate, ARGV[1]) == 1 then
            return candidate
          end
        end
        return false
        """;

    // KEYS: 1 allocation hash. ARGV: 1 item, 2 owner. Releases only what the owner holds.
    public const string Release = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
          redis.call('HDEL', KEYS[1], ARGV[1])
          return 1
        end
        return 0
        """;
}
