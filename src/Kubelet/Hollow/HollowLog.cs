using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Hollow;

internal static partial class HollowLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {Count} hollow nodes {First}..{Last} at {Rate} per second")]
    public static partial void Starting(ILogger logger, int count, string first, string last, double rate);

    [LoggerMessage(Level = LogLevel.Information, Message = "All {Count} hollow nodes started in {Seconds:0.0} s")]
    public static partial void Started(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hollow node {Node} failed to start")]
    public static partial void StartFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hollow node {Node} stopped")]
    public static partial void Stopped(ILogger logger, string node);
}
