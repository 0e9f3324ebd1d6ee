using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// client-go's processNextWorkItem loop, which each of a controller's workers runs: take a key, reconcile it, forget
/// it on success or put it back rate-limited on failure, and mark it done, until the queue shuts down or the token
/// is cancelled. A sync cancelled by shutdown is neither retried nor reported.
/// </summary>
public static class WorkQueueWorker
{
    /// <param name="failed">Called with the key and the error before the key is put back (to log it with its requeue count).</param>
    /// <param name="synced">Called after every sync with the key, the Stopwatch timestamp it started at and its error, if any.</param>
    public static async Task RunAsync<TKey>(
        WorkQueue<TKey> queue,
        Func<TKey, CancellationToken, Task> sync,
        Action<TKey, Exception> failed,
        Action<TKey, long, Exception?>? synced,
        CancellationToken stoppingToken)
        where TKey : notnull
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TKey key;
            try
            {
                (key, var shutDown) = await queue.GetAsync(stoppingToken).ConfigureAwait(false);
                if (shutDown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            Exception? error = null;
            try
            {
                await sync(key, stoppingToken).ConfigureAwait(false);
                queue.Forget(key);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                error = e;
                failed(key, e);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }

            synced?.Invoke(key, started, error);
        }
    }
}
