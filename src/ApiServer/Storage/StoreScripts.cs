namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// Lua scripts run atomically by the store (Garnet needs --lua-transaction-mode). Every write bumps the
/// global revision, stores "revision\n" + object bytes, and appends an event to the kind's log, so the
/// revision order, the object and the log never disagree. The script also publishes the log entry on the kind's
/// channel, so a write is one round trip, the notification can never be lost between the write and a separate
/// PUBLISH, and a watch feed that has every earlier event of the kind appends it without reading the log. A traced
/// write's W3C traceparent rides on the log entry's type line, so every watcher of the change continues its trace
/// and the object itself carries nothing of it.
/// </summary>
internal static class StoreScripts
{
    // KEYS: 1 objects hash, 2 revision counter, 3 log zset, 4 compacted marker.
    // ARGV: 1 op (create|update|delete), 2 field, 3 expected revision ("" = any), 4 data, 5 history limit, 6 events channel,
    //       7 traceparent of the write ("" = not traced).
    // Returns {revision, previous revision} or {-1 exists | -2 not found | -3 conflict, current revision}.
    // Log entry: "rev\nTYPE[ traceparent]\nprevLen prevRev field\n" .. prev .. obj (prev set for MODIFIED; DELETED carries the
    // last state as obj; prevRev is the revision the object had before the write, 0 for ADDED). With the field and prevRev
    // the log is a history of keys as etcd's is: a list at an earlier revision is the objects with the log after it undone.
    // Published: "kindPrev\n" .. entry, kindPrev being the revision of the kind's previous log entry (0: none).
    public const string Write = """
        local cur = redis.call('HGET', KEYS[1], ARGV[2])
        local curRev = ''
        local curData = ''
        if cur then
          local nl = string.find(cur, '\n', 1, true)
          curRev = string.sub(cur, 1, nl - 1)
          curData = string.sub(cur, nl + 1)
        end
        local op = ARGV[1]
        if op == 'create' then
          if cur then return {-1, curRev} end
        else
          if not cur then return {-2, ''} end
          if ARGV[3] ~= '' and ARGV[3] ~= curRev then return {-3, curRev} end
        end
        local newest = redis.call('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
        local kindPrev = newest[2] or '0'
        local rev = redis.call('INCR', KEYS[2])
        local trace = ''
        if ARGV[7] and ARGV[7] ~= '' then trace = ' ' .. ARGV[7] end
        local entry
        if op == 'delete' then
          redis.call('HDEL', KEYS[1], ARGV[2])
          entry = rev .. '\nDELETED' .. trace .. '\n0 ' .. curRev .. ' ' .. ARGV[2] .. '\n' .. curData
        elseif op == 'create' then
          redis.call('HSET', KEYS[1], ARGV[2], rev .. '\n' .. ARGV[4])
          entry = rev .. '\nADDED' .. trace .. '\n0 0 ' .. ARGV[2] .. '\n' .. ARGV[4]
        else
          redis.call('HSET', KEYS[1], ARGV[2], rev .. '\n' .. ARGV[4])
          entry = rev .. '\nMODIFIED' .. trace .. '\n' .. string.len(curData) .. ' ' .. curRev .. ' ' .. ARGV[2] .. '\n' .. curData .. ARGV[4]
        end
        redis.call('ZADD', KEYS[3], rev, entry)
        local limit = tonumber(ARGV[5])
        local n = redis.call('ZCARD', KEYS[3])
        if n > limit then
          local last = redis.call('ZRANGE', KEYS[3], n - limit - 1, n - limit - 1, 'WITHSCORES')
          redis.call('SET', KEYS[4], last[2])
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, n - limit - 1)
        end
        redis.call('PUBLISH', ARGV[6], kindPrev .. '\n' .. entry)
        return {rev, curRev}
        """;
}
