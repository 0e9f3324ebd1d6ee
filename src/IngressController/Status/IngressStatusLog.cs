namespace KubeMesh.IngressController.Status;

internal static partial class IngressStatusLog
{
    [LoggerMessage(20, LogLevel.Information, "Ingress {Namespace}/{Name}: status.loadBalancer.ingress set to {Address}")]
    public static partial void Published(ILogger logger, string @namespace, string name, string address);

    [LoggerMessage(21, LogLevel.Warning, "Ingress {Namespace}/{Name}: status not written ({Code}: {Detail}); retrying")]
    public static partial void PublishFailed(ILogger logger, string @namespace, string name, string code, string detail);
}
