using System.Diagnostics;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;
using KubeMesh.IngressController.Configuration;
using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Status;
using KubeMesh.IngressController.Tls;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Sync;

/// <summary>
/// The controller loop: informers on ingresses, services, endpoints, secrets and the controller's ConfigMap
/// request a rebuild from the shared <see cref="RebuildReconciler"/>; a short delay after the first change of a
/// burst (the rest coalesce into the same rebuild) the whole configuration is rebuilt from the caches and swapped
/// into YARP and the certificate store. Level-triggered: every rebuild starts from the caches, never from the
/// event. A build that throws keeps the previous configuration and is retried with back-off.
/// </summary>
internal sealed class IngressSynchronizer : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly KubeMeshClient _client;
    private readonly ProxyConfigBuilder _builder;
    private readonly IngressProxyConfigProvider _provider;
    private readonly CertificateStore _certificates;
    private readonly IngressStatusPublisher _status;
    private readonly IngressControllerOptions _settings;
    private readonly ILogger<IngressSynchronizer> _logger;
    private readonly RebuildReconciler _rebuild;
    private volatile IReadOnlySet<string> _referenced = new HashSet<string>();
    private volatile string _reason = "initial sync";
    private Func<IngressState>? _state;

    // The last build, served or not: the next one reuses its parsed certificates and authenticators.
    private IngressConfiguration _built = IngressConfiguration.Empty;

    // While a build reads the caches, any object may turn out to matter: signal every change then.
    private volatile bool _building = true;

    public IngressSynchronizer(
        SharedInformerFactory informers,
        KubeMeshClient client,
        ProxyConfigBuilder builder,
        IngressProxyConfigProvider provider,
        CertificateStore certificates,
        IngressStatusPublisher status,
        IOptions<IngressControllerOptions> options,
        ILogger<IngressSynchronizer> logger)
    {
        _informers = informers;
        _client = client;
        _builder = builder;
        _provider = provider;
        _certificates = certificates;
        _status = status;
        _settings = options.Value;
        _logger = logger;
        _rebuild = new RebuildReconciler("ingress", RebuildAsync, new RebuildReconcilerOptions { Delay = _settings.Debounce }, logger);
    }

    /// <summary>True once the first configuration built from synced caches is being served.</summary>
    public bool IsReady => _rebuild.HasSucceeded;

    public override void Dispose()
    {
        _rebuild.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IngressControllerLog.Starting(_logger, _settings.ClassName, _client.Address ?? "(in-process)");
        await EnsureNamespaceAsync(_settings.ConfigMapNamespace, stoppingToken);

        var ingresses = _informers.GetInformer<Ingress>();
        var services = _informers.GetInformer<Service>();
        var endpoints = _informers.GetInformer<Endpoints>();
        var secrets = _informers.GetInformer<Secret>();
        var configMaps = _informers.GetInformer<ConfigMap>(new InformerOptions
        {
            Namespace = _settings.ConfigMapNamespace,
            FieldSelector = "metadata.name=" + _settings.ConfigMapName,
        });

        _rebuild.Watch(ingresses, _ => Changed("ingress"));
        _rebuild.Watch(configMaps, _ => Changed("configmap"));
        _rebuild.Watch(services, o => IsReferenced(o.Metadata));
        _rebuild.Watch(endpoints, o => IsReferenced(o.Metadata));
        _rebuild.Watch(secrets, o => IsReferenced(o.Metadata));
        _state = () => new IngressState(
            ingresses.Lister.List(),
            services.Lister.Get,
            endpoints.Lister.Get,
            secrets.Lister.Get,
            configMaps.Lister.Get(_settings.ConfigMapNamespace, _settings.ConfigMapName));

        _informers.Start();
        await _rebuild.RunAsync(stoppingToken);
    }

    private Task<bool> RebuildAsync(CancellationToken cancellationToken)
    {
        var reason = _reason;
        var started = Stopwatch.GetTimestamp();
        _building = true;
        IngressConfiguration configuration;
        try
        {
            configuration = _builder.Build(_state!(), _built);
        }
        finally
        {
            _building = false;
        }

        _built = configuration;
        _referenced = configuration.ReferencedObjects;
        _certificates.Update(configuration.Certificates);
        var current = _provider.Current;
        if (_rebuild.HasSucceeded
            && current.Routes.SequenceEqual(configuration.Routes)
            && current.Clusters.SequenceEqual(configuration.Clusters))
        {
            IngressControllerLog.Unchanged(_logger, reason);
        }
        else
        {
            _provider.Update(configuration);
            IngressControllerLog.Applied(
                _logger, configuration.Routes.Count, configuration.Clusters.Count, configuration.Certificates.Hosts.Count(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            foreach (var warning in configuration.Warnings)
            {
                IngressControllerLog.IngressWarning(_logger, warning);
            }
        }

        _status.ConfigurationApplied();
        return Task.FromResult(true);
    }

    private bool Changed(string what)
    {
        _reason = what;
        return true;
    }

    private bool IsReferenced(ObjectMeta metadata)
    {
        var key = metadata.Namespace + "/" + metadata.Name;
        return (_building || _referenced.Contains(key)) && Changed(key);
    }

    private async Task EnsureNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        var namespaces = _client.For<Namespace>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } }, cancellationToken);
                IngressControllerLog.NamespaceCreated(_logger, name);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                return;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(200 * Math.Pow(2, attempt - 1), 10_000));
                IngressControllerLog.NamespaceRetry(_logger, name, e.StatusCode.ToString(), delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }
}
