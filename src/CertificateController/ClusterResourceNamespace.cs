using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.CertificateController;

/// <summary>Creates the cluster resource namespace (cert-manager) at startup, where ClusterIssuers' Secrets live.</summary>
internal sealed partial class ClusterResourceNamespace(KubeMeshClient client, IOptions<CertificateControllerOptions> options, ILogger<ClusterResourceNamespace> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = options.Value.ClusterResourceNamespace;
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } }, stoppingToken);
                LogCreated(logger, name);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                return;
            }
            catch (RpcException e)
            {
                LogRetry(logger, e, name);
            }

            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the cluster resource namespace {Namespace}")]
    private static partial void LogCreated(ILogger logger, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the cluster resource namespace {Namespace}; retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception, string @namespace);
}
