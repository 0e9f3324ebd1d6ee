using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// Waits on a condition the system reaches asynchronously, never a fixed time: polls (20 ms at first, backing off
/// to 500 ms) until it holds, and fails with what was awaited once the timeout passes. Every wait has a timeout.
/// A <see cref="SkipException"/> (a tool found missing) ends any wait at once.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Polls until the condition holds. An exception from the condition fails the wait at once.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var poll = FirstPoll;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}");
            }

            poll = await PauseAsync(poll);
        }
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what) =>
        Until(() => Task.FromResult(condition()), timeout, what);

    /// <summary>
    /// Polls until the condition holds; at the timeout the message is <paramref name="explain"/>'s, asked then, so it
    /// can say what was still missing and what happened meanwhile rather than what the state was at the start.
    /// </summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        var poll = FirstPoll;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s: {explain()}");
            }

            poll = await PauseAsync(poll);
        }
    }

    /// <summary>
    /// Polls <paramref name="get"/> until its value satisfies <paramref name="done"/> and returns that value. A failing
    /// get (a server not listening yet) counts as not yet; the timeout's message carries the last value or error.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> get, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var poll = FirstPoll;
        while (true)
        {
            string last;
            try
            {
                var value = await get();
                if (done(value))
                {
                    return value;
                }

                last = "last value: " + value;
            }
            catch (Exception e) when (e is not SkipException)
            {
                last = "last error: " + e.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}; {last}");
            }

            poll = await PauseAsync(poll);
        }
    }

    /// <summary>Polls until <paramref name="find"/> returns something (null is "not yet") and returns it.</summary>
    public static async Task<T> Found<T>(Func<Task<T?>> find, TimeSpan timeout, string what)
        where T : class
    {
        T? found = null;
        await Until(async () => (found = await find()) is not null, timeout, what);
        return found!;
    }

    /// <summary>
    /// Retries <paramref name="attempt"/> until it returns (its exception says what is still missing) and returns its
    /// value; at the deadline the last exception is thrown, wrapped with <paramref name="explain"/>'s reason if given.
    /// </summary>
    public static async Task<T> Returns<T>(Func<Task<T>> attempt, TimeSpan timeout, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var poll = FirstPoll;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is not SkipException && DateTime.UtcNow < deadline)
            {
                poll = await PauseAsync(poll);
            }
            catch (Exception e) when (e is not SkipException && explain?.Invoke() is { Length: > 0 } reason)
            {
                throw new TimeoutException(reason, e);
            }
        }
    }

    private static async Task<TimeSpan> PauseAsync(TimeSpan poll)
    {
        await Task.Delay(poll);
        return TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
    }
}
