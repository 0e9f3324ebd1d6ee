using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

internal static partial class EventRecorderLog
{
    [LoggerMessage(1, LogLevel.Debug, "Event({Kind} {Namespace}/{Name}): type: '{Type}' reason: '{Reason}' {Message}")]
    public static partial void Recording(ILogger logger, string kind, string @namespace, string name, string type, string reason, string message);

    [LoggerMessage(2, LogLevel.Warning, "Could not write event {Namespace}/{Name} (reason {Reason}); dropping it")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string @namespace, string name, string reason);

    [LoggerMessage(3, LogLevel.Error, "Unsupported event type '{Type}' for reason {Reason}; events must be Normal or Warning")]
    public static partial void InvalidType(ILogger logger, string type, string reason);
}
