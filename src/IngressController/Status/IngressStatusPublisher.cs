using System.Threading.Channels;
using Grpc.Core;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;
using KubeMesh.IngressController.Configuration;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Status;

/// <summary>
/// ingress-nginx's status sync: every ingress this controller serves carries the controller's address in
/// status.loadBalancer.ingress (what `get ingress` shows as ADDRESS), and an ingress that stops being ours loses
/// it again. Runs after each applied configuration, so an address is only published once its rules are served;
/// it reads the informer cache and writes only the ingresses whose status differs.
/// </summary>
internal sealed class IngressStatusPublisher(
    SharedInformerFactory informers,
    KubeMeshClient client,
    IOptions<IngressControllerOptions> options,
    ILogger<IngressStatusPublisher> logger) : BackgroundService
{
    private readonly Channel<bool> _applied = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Called by the synchronizer once a configuration is served.</summary>
    public void ConfigurationApplied() => _applied.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var ingresses = informers.GetInformer<Ingress>();
        while (await _applied.Reader.WaitToReadAsync(stoppingToken))
        {
            _applied.Reader.TryRead(out _);
            var failed = false;
            foreach (var ingress in ingresses.Lister.List())
            {
                var desired = IngressStatusRules.Desired(ingress, settings.ClassName, settings.StatusAddress);
                if (desired is not null)
                {
                    failed |= !await PublishAsync(ingress.Metadata.Namespace, ingress.Metadata.Name, stoppingToken);
                }
            }

            if (failed)
            {
                // Level-triggered: try the whole set again after a pause rather than tracking which one failed.
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                ConfigurationApplied();
            }
        }
    }

    private async Task<bool> PublishAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var resources = client.For<Ingress>();
        try
        {
            await RetryOnConflict.RunAsync(
                async ct =>
                {
                    // Re-read: the cached copy may be older than the stored one after a conflict.
                    var current = await resources.GetAsync(@namespace, name, ct);
                    if (IngressStatusRules.Desired(current, options.Value.ClassName, options.Value.StatusAddress) is not { } desired)
                    {
                        return;
                    }

                    current.Status = new IngressStatus { LoadBalancer = desired };
                    await resources.UpdateStatusAsync(current, ct);
                    IngressStatusLog.Published(logger, @namespace, name, desired.Ingress.Count == 0 ? "<none>" : string.Join(",", desired.Ingress.Select(i => i.Ip)));
                },
                cancellationToken);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return true;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            IngressStatusLog.PublishFailed(logger, @namespace, name, e.StatusCode.ToString(), e.Status.Detail);
            return false;
        }
    }
}
