namespace KubeMesh.EndToEnd;

/// <summary>Retries an attempt until it returns or the deadline passes, for conditions a busy cluster reaches in its own time.</summary>
internal static class Eventually
{
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
