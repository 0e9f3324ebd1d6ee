using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet;

internal static partial class KubeletLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Registered node {Node} at {Address}:{Port}")]
    public static partial void NodeRegistered(ILogger logger, string node, string address, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} was already registered; updated it to {Address}:{Port}")]
    public static partial void NodeReRegistered(ILogger logger, string node, string address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unable to register node {Node} with the api-server: {Detail}")]
    public static partial void RegistrationFailed(ILogger logger, Exception exception, string node, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error updating node {Node} status: {Detail}")]
    public static partial void NodeStatusFailed(ILogger logger, Exception exception, string node, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to renew the lease of node {Node}: {Detail}")]
    public static partial void LeaseRenewFailed(ILogger logger, Exception exception, string node, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pods of node {Node} synced: {Count} bound to it")]
    public static partial void PodsSynced(ILogger logger, string node, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} ({Uid}) added to this node")]
    public static partial void PodAdded(ILogger logger, string @namespace, string name, string uid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} torn down: containers stopped, IP and directory released")]
    public static partial void PodTornDown(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Error syncing pod {Namespace}/{Name}, retrying")]
    public static partial void SyncFailed(ILogger logger, Exception exception, string @namespace, string name);
}
