using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// A Lua script called by its SHA1 (EVALSHA), hashed once here rather than looked up by its whole text on every
/// call, and sent again in full (EVAL, which loads it) when the store answers NOSCRIPT: after a restart or a
/// SCRIPT FLUSH. A NOSCRIPT reply means the script did not run, so sending it again cannot apply a write twice.
/// </summary>
internal sealed class StoreScript(string source)
{
    // SHA1 here is the store's name for a script (EVALSHA), not a safeguard.
#pragma warning disable CA5350
    private readonly byte[] _hash = SHA1.HashData(Encoding.UTF8.GetBytes(source));
#pragma warning restore CA5350

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await db.ScriptEvaluateAsync(_hash, keys, values);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(source, keys, values);
        }
    }
}
