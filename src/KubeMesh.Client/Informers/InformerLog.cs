using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

internal static partial class InformerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(2, LogLevel.Warning, "Failed to list {Resource}; retrying in {Delay}")]
    public static partial void ListFailed(ILogger logger, Exception exception, string resource, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Debug, "Watching {Resource} from resourceVersion {ResourceVersion}")]
    public static partial void Watching(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(4, LogLevel.Information, "Watch of {Resource} from resourceVersion {ResourceVersion} expired; re-listing")]
    public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(5, LogLevel.Debug, "Watch of {Resource} ended at resourceVersion {ResourceVersion}; reconnecting in {Delay}")]
    public static partial void WatchEnded(ILogger logger, string resource, string resourceVersion, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Warning, "Watch of {Resource} failed with {Error}; reconnecting from resourceVersion {ResourceVersion} in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource, string error, string resourceVersion, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Error, "The {Handler} threw on {Notification} of {Key}; it gets the next notification")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, string notification, string key);

    [LoggerMessage(8, LogLevel.Information, "Re-list of {Resource} found {Added} added, {Updated} updated, {Deleted} deleted")]
    public static partial void Relisted(ILogger logger, string resource, int added, int updated, int deleted);

    [LoggerMessage(9, LogLevel.Warning, "The {Handler} took {Elapsed} on {Notification} of {Key}; it delays only its own notifications")]
    public static partial void HandlerSlow(ILogger logger, string handler, string notification, string key, TimeSpan elapsed);

    [LoggerMessage(10, LogLevel.Warning, "Resync period {Requested} for {Resource} is too short; using {Minimum}")]
    public static partial void ResyncTooShort(ILogger logger, string resource, TimeSpan requested, TimeSpan minimum);

    [LoggerMessage(11, LogLevel.Debug, "Resynced {Count} {Resource} to their handlers")]
    public static partial void Resynced(ILogger logger, string resource, int count);

    [LoggerMessage(12, LogLevel.Information, "Waiting for caches to sync for {Consumer}: {Caches}")]
    public static partial void WaitingForCaches(ILogger logger, string consumer, string caches);

    [LoggerMessage(13, LogLevel.Warning, "{Consumer} is still waiting for caches to sync: {Caches}")]
    public static partial void StillWaitingForCaches(ILogger logger, string consumer, string caches);

    [LoggerMessage(14, LogLevel.Information, "Caches are synced for {Consumer}")]
    public static partial void CachesSynced(ILogger logger, string consumer);
}
