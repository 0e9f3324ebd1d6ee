namespace KubeMesh.IngressController.Tests.Infrastructure;

internal static class Eventually
{
    /// <summary>Polls until the check passes; the last failure's message explains a timeout.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> get, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        T last = default!;
        string? failure = null;
        while (!cts.IsCancellationRequested)
        {
            try
            {
                last = await get();
                if (done(last))
                {
                    return last;
                }

                failure = "last value: " + last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                failure = e.Message;
            }

            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out waiting until {what}; {failure}");
    }
}
