using System.Diagnostics;

namespace KubeMesh.Client;

/// <summary>
/// client-go's processNextWorkItem loop, which each of a controller's workers runs: take a key, reconcile it, forget
/// it on success or put it back rate-limited on failure, and mark it done, until the queue shuts down or the token
/// is cancelled. A sync cancelled by shutdown is neither retried nor reported. With an <see cref="ActivitySource"/>,
/// each sync is a span that continues the traces of the changes that queued its key, and a retry keeps serving them.
/// </summary>
public static class WorkQueueWorker
{
    /// <param name="failed">Called with the key and the error before the key is put back (to log it with its requeue count).</param>
    /// <param name="synced">Called after every sync with the key, the Stopwatch timestamp it started at and its error, if any.</param>
    /// <param name="tracing">The source of the sync spans, and the prefix of their names (the key follows it).</param>
    public static async Task RunAsync<TKey>(
        WorkQueue<TKey> queue,
        Func<TKey, CancellationToken, Task> sync,
        Action<TKey, Exception> failed,
        Action<TKey, long, Exception?>? synced,
        CancellationToken stoppingToken,
        (ActivitySource Source, string SpanPrefix)? tracing = null)
        where TKey : notnull
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            WorkItem<TKey> work;
            try
            {
                work = await queue.GetItemAsync(stoppingToken).ConfigureAwait(false);
                if (work.ShutDown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var key = work.Item;
            var started = Stopwatch.GetTimestamp();
            Exception? error = null;
            using var activity = tracing is { } t ? WorkTracing.StartWork(t.Source, t.SpanPrefix + key, work.Changes) : null;
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
                WorkTracing.Fail(activity, e);
                failed(key, e);

                // The retry still serves the changes this sync was for.
                queue.AddRateLimited(key, work.Changes);
            }
            finally
            {
                queue.Done(key);
            }

            synced?.Invoke(key, started, error);
        }
    }
}
