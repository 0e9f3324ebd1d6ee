namespace KubeMesh.ControllerManager.Controllers.Common;

internal static partial class ControllerLog
{
    [LoggerMessage(1, LogLevel.Information, "Started {Controller} controller with {Workers} workers")]
    public static partial void Started(ILogger logger, string controller, int workers);

    [LoggerMessage(2, LogLevel.Warning, "Error syncing {Controller} {Key} (requeue {Requeues})")]
    public static partial void SyncFailed(ILogger logger, Exception exception, string controller, string key, int requeues);

    [LoggerMessage(3, LogLevel.Debug, "{Controller} {Key}: {Message}")]
    public static partial void Trace(ILogger logger, string controller, string key, string message);

    [LoggerMessage(4, LogLevel.Information, "{Controller}: {Message}")]
    public static partial void Info(ILogger logger, string controller, string message);

    [LoggerMessage(5, LogLevel.Information, "{Controller}: leading; caches listed afresh in {Elapsed}")]
    public static partial void CaughtUp(ILogger logger, string controller, TimeSpan elapsed);
}
