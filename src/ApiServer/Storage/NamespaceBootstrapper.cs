using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// Creates the namespaces a cluster has from the start (default, kube-system, kube-public, kube-node-lease),
/// retrying until the store answers: the api-server may start before its store.
/// </summary>
public sealed partial class NamespaceBootstrapper(ResourceRegistry registry, ILogger<NamespaceBootstrapper> logger) : BackgroundService
{
    public static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var name in SystemNamespaces)
                {
                    await EnsureAsync(name);
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException || ex is RpcException { StatusCode: StatusCode.Unavailable })
            {
                LogStoreNotReady(logger, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task EnsureAsync(string name)
    {
        try
        {
            await registry.CreateAsync(ResourceKinds.Namespace, new Namespace { Metadata = new ObjectMeta { Name = name } });
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is not answering yet; creating the system namespaces again in {Seconds:0.0} s: {Reason}")]
    private static partial void LogStoreNotReady(ILogger logger, double seconds, string reason);
}
