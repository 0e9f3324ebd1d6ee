using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// Reconciles the <see cref="BootstrapPolicy"/> at start, as kube-apiserver's rbac/bootstrap-roles post-start hook:
/// a missing role or binding is created; one that lacks default rules or subjects gets them back, unless annotated
/// rbac.authorization.kubernetes.io/autoupdate=false; what an administrator added is kept.
/// </summary>
public sealed partial class PolicyBootstrapper(ResourceRegistry registry, ILogger<PolicyBootstrapper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var role in BootstrapPolicy.ClusterRoles)
                {
                    await EnsureAsync(ResourceKinds.ClusterRole, role, (stored, wanted) => MissingRules((ClusterRole)stored, (ClusterRole)wanted));
                }

                foreach (var binding in BootstrapPolicy.ClusterRoleBindings)
                {
                    await EnsureAsync(ResourceKinds.ClusterRoleBinding, binding, (stored, wanted) => MissingSubjects((ClusterRoleBinding)stored, (ClusterRoleBinding)wanted));
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException || ex is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Aborted })
            {
                LogStoreNotReady(logger, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task EnsureAsync(ResourceKind kind, IMessage wanted, Func<IMessage, IMessage, IMessage?> repair)
    {
        var name = kind.Metadata(wanted).Name;
        IMessage stored;
        try
        {
            stored = await registry.GetAsync(kind, null, name);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            try
            {
                await registry.CreateAsync(kind, wanted);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                stored = await registry.GetAsync(kind, null, name);
            }
        }

        if (kind.Metadata(stored).Annotations.TryGetValue(BootstrapPolicy.AutoUpdateAnnotation, out var auto) && auto == "false")
        {
            return;
        }

        if (repair(stored, wanted) is { } repaired)
        {
            LogReconciled(logger, kind.Kind, name);
            await registry.UpdateAsync(kind, repaired);
        }
    }

    private static ClusterRole? MissingRules(ClusterRole stored, ClusterRole wanted)
    {
        var missing = wanted.Rules.Where(rule => !PolicyRules.Covers(stored.Rules, rule, out _)).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var repaired = stored.Clone();
        repaired.Rules.Add(missing);
        return repaired;
    }

    private static ClusterRoleBinding? MissingSubjects(ClusterRoleBinding stored, ClusterRoleBinding wanted)
    {
        var missing = wanted.Subjects.Where(s => !stored.Subjects.Contains(s)).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var repaired = stored.Clone();
        repaired.Subjects.Add(missing);
        return repaired;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is not answering yet; reconciling the bootstrap RBAC policy again in {Seconds:0.0} s: {Reason}")]
    private static partial void LogStoreNotReady(ILogger logger, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored the default rules or subjects of {Kind} {Name}")]
    private static partial void LogReconciled(ILogger logger, string kind, string name);
}
