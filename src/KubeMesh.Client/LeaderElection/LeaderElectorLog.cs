using Microsoft.Extensions.Logging;

namespace KubeMesh.Client.LeaderElection;

internal static partial class LeaderElectorLog
{
    [LoggerMessage(1, LogLevel.Information, "attempting to acquire leader lease {Lock} as {Identity}")]
    public static partial void Acquiring(ILogger logger, string @lock, string identity);

    [LoggerMessage(2, LogLevel.Information, "successfully acquired lease {Lock} as {Identity}")]
    public static partial void Acquired(ILogger logger, string @lock, string identity);

    [LoggerMessage(3, LogLevel.Information, "new leader of {Lock}: {Holder}")]
    public static partial void NewLeader(ILogger logger, string @lock, string holder);

    [LoggerMessage(4, LogLevel.Error, "failed to renew lease {Lock}: not renewed within the renew deadline {Deadline}; leading stops")]
    public static partial void RenewDeadlinePassed(ILogger logger, string @lock, TimeSpan deadline);

    [LoggerMessage(5, LogLevel.Error, "lease {Lock} is now held by {Holder}; leading stops")]
    public static partial void LostToAnother(ILogger logger, string @lock, string holder);

    [LoggerMessage(6, LogLevel.Warning, "error retrieving lease {Lock}")]
    public static partial void GetFailed(ILogger logger, Exception exception, string @lock);

    [LoggerMessage(7, LogLevel.Warning, "failed to write lease {Lock}")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string @lock);

    [LoggerMessage(8, LogLevel.Information, "released lease {Lock}")]
    public static partial void Released(ILogger logger, string @lock);
}
