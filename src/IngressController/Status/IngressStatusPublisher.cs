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
/// it reads the informer cache and writes only the ingresses whose status differs. A pass that could not write
/// every status is retried with back-off through the shared <see cref="RebuildReconciler"/>.
/// </summary>
internal sealed class IngressStatusPublisher : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly KubeMeshClient _client;
    private readonly IOptions<IngressControllerOptions> _options;
    private readonly ILogger<IngressStatusPublisher> _logger;
    private readonly RebuildReconciler _publish;
    private volatile bool _applied;

    public IngressStatusPublisher(
        SharedInformerFactory informers, KubeMeshClient client, IOptions<IngressControllerOptions> options, ILogger<IngressStatusPublisher> logger)
    {
        _informers = informers;
        _client = client;
        _options = options;
        _logger = logger;
        _publish = new RebuildReconciler("ingress-status", PublishAllAsync, new RebuildReconcilerOptions { InitialRetryDelay = TimeSpan.FromSeconds(1) }, logger);
    }

    /// <summary>Called by the synchronizer once a configuration is served.</summary>
    public void ConfigurationApplied()
    {
        _applied = true;
        _publish.Request();
    }

    public override void Dispose()
    {
        _publish.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _publish.RunAsync(stoppingToken);

    /// <summary>Level-triggered: one pass over every ingress; false (try the whole set again) if any write failed.</summary>
    private async Task<bool> PublishAllAsync(CancellationToken cancellationToken)
    {
        if (!_applied)
        {
            return true;
        }

        var settings = _options.Value;
        var failed = false;
        foreach (var ingress in _informers.GetInformer<Ingress>().Lister.List())
        {
            if (IngressStatusRules.Desired(ingress, settings.ClassName, settings.StatusAddress) is not null)
            {
                failed |= !await PublishAsync(ingress.Metadata.Namespace, ingress.Metadata.Name, cancellationToken);
            }
        }

        return !failed;
    }

    private async Task<bool> PublishAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var resources = _client.For<Ingress>();
        try
        {
            await RetryOnConflict.RunAsync(
                async ct =>
                {
                    // Re-read: the cached copy may be older than the stored one after a conflict.
                    var current = await resources.GetAsync(@namespace, name, ct);
                    if (IngressStatusRules.Desired(current, _options.Value.ClassName, _options.Value.StatusAddress) is not { } desired)
                    {
                        return;
                    }

                    current.Status = new IngressStatus { LoadBalancer = desired };
                    await resources.UpdateStatusAsync(current, ct);
                    IngressStatusLog.Published(_logger, @namespace, name, desired.Ingress.Count == 0 ? "<none>" : string.Join(",", desired.Ingress.Select(i => i.Ip)));
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
            IngressStatusLog.PublishFailed(_logger, @namespace, name, e.StatusCode.ToString(), e.Status.Detail);
            return false;
        }
    }
}
