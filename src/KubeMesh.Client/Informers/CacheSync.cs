using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

/// <summary>
/// client-go's WaitForNamedCacheSync: a consumer waits for the caches it reads, and only those, so a kind that
/// cannot be listed stalls only its own readers. While it waits it names the caches still missing, every
/// <see cref="ReportEvery"/>, rather than stalling silently.
/// </summary>
public static class CacheSync
{
    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    public static async Task WaitForNamedCacheSyncAsync(
        string consumer, IReadOnlyCollection<ICacheSync> caches, ILogger logger, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", caches.Select(c => c.Name).Distinct());
        InformerLog.WaitingForCaches(logger, consumer, names);
        var all = Task.WhenAll(caches.Select(c => c.WaitForSyncAsync(cancellationToken)));
        while (true)
        {
            using (var report = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var finished = await Task.WhenAny(all, Task.Delay(ReportEvery, report.Token)).ConfigureAwait(false);
                await report.CancelAsync().ConfigureAwait(false);
                if (finished == all)
                {
                    break;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var missing = string.Join(", ", caches.Where(c => !c.HasSynced).Select(c => c.Name).Distinct());
            InformerLog.StillWaitingForCaches(logger, consumer, missing);
        }

        await all.ConfigureAwait(false);
        InformerLog.CachesSynced(logger, consumer);
    }
}
