using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// The objects the authorizers read: RBAC's four kinds, and the pods the Node authorizer follows; and the
/// ServiceAccounts (with those pods) that service-account tokens are checked against. Started together,
/// and waited for a while at start as kube-apiserver waits for its informers; until they are loaded, what needs them
/// is refused rather than guessed.
/// </summary>
public sealed partial class AuthorizationCaches : IStoredObserver, IHostedService
{
    private static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(10);
    private readonly ILogger _logger;
    private volatile bool _started;

    public AuthorizationCaches(ObjectStore store, WatchHub hub, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<ObjectCache>();
        _logger = loggers.CreateLogger<AuthorizationCaches>();
        Roles = new ObjectCache(ResourceKinds.Role, store, hub, logger);
        ClusterRoles = new ObjectCache(ResourceKinds.ClusterRole, store, hub, logger);
        RoleBindings = new ObjectCache(ResourceKinds.RoleBinding, store, hub, logger);
        ClusterRoleBindings = new ObjectCache(ResourceKinds.ClusterRoleBinding, store, hub, logger);
        Pods = new ObjectCache(ResourceKinds.Pod, store, hub, logger);
        ServiceAccounts = new ObjectCache(ResourceKinds.ServiceAccount, store, hub, logger);
        Secrets = new ObjectCache(ResourceKinds.Secret, store, hub, logger);
        Nodes = new ObjectCache(ResourceKinds.Node, store, hub, logger);
        All = [Roles, ClusterRoles, RoleBindings, ClusterRoleBindings, Pods, ServiceAccounts, Secrets, Nodes];
    }

    public ObjectCache Roles { get; }

    public ObjectCache ClusterRoles { get; }

    public ObjectCache RoleBindings { get; }

    public ObjectCache ClusterRoleBindings { get; }

    public ObjectCache Pods { get; }

    /// <summary>For the service-account token authenticator: a token is good only while its account exists.</summary>
    public ObjectCache ServiceAccounts { get; }

    /// <summary>For tokens bound to a Secret: good only while it exists.</summary>
    public ObjectCache Secrets { get; }

    /// <summary>For tokens bound to a Node: good only while it exists.</summary>
    public ObjectCache Nodes { get; }

    public IReadOnlyList<ObjectCache> All { get; }

    public void AfterStored(ResourceKind kind, ObjectKey key, long revision, IMessage? written)
    {
        // Not started (no authorizer reads them): hold nothing.
        if (!_started)
        {
            return;
        }

        foreach (var cache in All)
        {
            if (cache.Kind == kind)
            {
                cache.Observe(key, revision, written);
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        foreach (var cache in All)
        {
            await cache.StartAsync(cancellationToken);
        }

        try
        {
            await Task.WhenAll(All.Select(c => c.WhenSynced)).WaitAsync(SyncWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogNotSynced(_logger, SyncWait.TotalSeconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var cache in All)
        {
            await cache.StopAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The authorization caches are not loaded after {Seconds} s; requests that need them are refused until they are")]
    private static partial void LogNotSynced(ILogger logger, double seconds);
}
