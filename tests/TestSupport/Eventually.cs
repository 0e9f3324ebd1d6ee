namespace KubeMesh.Testing;

/// <summary>Polls a condition until it holds or the deadline passes (then fails with the last reason).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not true within {timeout}: {because}");
            }

            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, because);

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Retries an attempt until it returns (its exception says what is still missing) or the timeout passes.</summary>
    public static Task<T> ReturnsAsync<T>(Func<Task<T>> attempt, TimeSpan? timeout = null) =>
        Async(attempt, timeout ?? DefaultTimeout);

    /// <param name="explain">Why it still fails at the deadline, when the last exception alone would not say.</param>
    public static async Task<T> Async<T>(Func<Task<T>> attempt, TimeSpan timeout, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            catch (Exception ex) when (explain?.Invoke() is { Length: > 0 } reason)
            {
                throw new TimeoutException(reason, ex);
            }
        }
    }
}
