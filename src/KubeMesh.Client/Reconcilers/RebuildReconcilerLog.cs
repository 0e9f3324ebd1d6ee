using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

internal static partial class RebuildReconcilerLog
{
    [LoggerMessage(1, LogLevel.Error, "Rebuilding {Name} failed ({Failures} in a row); keeping the previous state and retrying with back-off")]
    public static partial void Failed(ILogger logger, Exception exception, string name, int failures);

    [LoggerMessage(2, LogLevel.Information, "Rebuilding {Name} left work undone ({Failures} in a row); retrying with back-off")]
    public static partial void Incomplete(ILogger logger, string name, int failures);

    [LoggerMessage(3, LogLevel.Debug, "Rebuilt {Name} in {ElapsedMs} ms")]
    public static partial void Rebuilt(ILogger logger, string name, double elapsedMs);
}
