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

    [LoggerMessage(7, LogLevel.Error, "An event handler for {Resource} threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(8, LogLevel.Information, "Re-list of {Resource} found {Added} added, {Updated} updated, {Deleted} deleted")]
    public static partial void Relisted(ILogger logger, string resource, int added, int updated, int deleted);
}
