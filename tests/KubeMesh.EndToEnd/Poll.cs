using KubeMesh.Testing;

namespace KubeMesh.EndToEnd;

/// <summary>Waits for a value from the cluster, never a fixed time.</summary>
internal static class Poll
{
    /// <summary>Polls until the attempt returns a value, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout, string what)
        where T : class
    {
        T? result = null;
        await Eventually.TrueAsync(async () => (result = await attempt()) is not null, timeout, what);
        return result!;
    }
}
