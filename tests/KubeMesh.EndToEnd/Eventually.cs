namespace KubeMesh.EndToEnd;

/// <summary>Retries an attempt until it returns (its exception says what is still missing) or the timeout passes.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

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
