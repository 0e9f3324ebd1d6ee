namespace KubeMesh.IngressController.Sync;

internal static partial class IngressControllerLog
{
    [LoggerMessage(1, LogLevel.Information, "Configuration applied: {Routes} routes, {Clusters} clusters, {Certificates} TLS hosts in {ElapsedMs} ms")]
    public static partial void Applied(ILogger logger, int routes, int clusters, int certificates, double elapsedMs);

    [LoggerMessage(2, LogLevel.Debug, "Configuration unchanged after a change to {Object}")]
    public static partial void Unchanged(ILogger logger, string @object);

    [LoggerMessage(3, LogLevel.Warning, "Ingress {Warning}")]
    public static partial void IngressWarning(ILogger logger, string warning);

    [LoggerMessage(4, LogLevel.Information, "Created namespace {Namespace} for the controller's ConfigMap")]
    public static partial void NamespaceCreated(ILogger logger, string @namespace);

    [LoggerMessage(5, LogLevel.Warning, "Cannot ensure namespace {Namespace} yet ({Code}); retrying in {Delay}")]
    public static partial void NamespaceRetry(ILogger logger, string @namespace, string code, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Information, "Watching ingresses of class {ClassName} (and those without a class) through {Server}")]
    public static partial void Starting(ILogger logger, string className, string server);
}
