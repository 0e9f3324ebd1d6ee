using System.Diagnostics;
using System.Threading.Channels;
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
/// signal a change; after a short quiet period (bursts coalesce into one rebuild) the whole configuration is
/// rebuilt from the caches and swapped into YARP and the certificate store. Level-triggered: every rebuild
/// starts from the caches, never from the event.
/// </summary>
internal sealed class IngressSynchronizer(
    SharedInformerFactory informers,
    KubeMeshClient client,
    ProxyConfigBuilder builder,
    IngressProxyConfigProvider provider,
    CertificateStore certificates,
    IngressStatusPublisher status,
    IOptions<IngressControllerOptions> options,
    ILogger<IngressSynchronizer> logger) : BackgroundService
{
    private readonly Channel<string> _changes = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IReadOnlySet<string> _referenced = new HashSet<string>();

    // The last build, served or not: the next one reuses its parsed certificates and authenticators.
    private IngressConfiguration _built = IngressConfiguration.Empty;

    // While a build reads the caches, any object may turn out to matter: signal every change then.
    private volatile bool _building = true;

    /// <summary>True once the first configuration built from synced caches is being served.</summary>
    public bool IsReady => _applied.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        IngressControllerLog.Starting(logger, settings.ClassName, client.CallInvoker.GetType().Name);
        await EnsureNamespaceAsync(settings.ConfigMapNamespace, stoppingToken);

        var ingresses = informers.GetInformer<Ingress>();
        var services = informers.GetInformer<Service>();
        var endpoints = informers.GetInformer<Endpoints>();
        var secrets = informers.GetInformer<Secret>();
        var configMaps = informers.GetInformer<ConfigMap>(new InformerOptions
        {
            Namespace = settings.ConfigMapNamespace,
            FieldSelector = "metadata.name=" + settings.ConfigMapName,
        });

        ingresses.AddEventHandler(i => Signal("ingress"), (_, i) => Signal("ingress"), i => Signal("ingress"));
        configMaps.AddEventHandler(c => Signal("configmap"), (_, c) => Signal("configmap"), c => Signal("configmap"));
        services.AddEventHandler(o => SignalIfReferenced(o.Metadata), (_, o) => SignalIfReferenced(o.Metadata), o => SignalIfReferenced(o.Metadata));
        endpoints.AddEventHandler(o => SignalIfReferenced(o.Metadata), (_, o) => SignalIfReferenced(o.Metadata), o => SignalIfReferenced(o.Metadata));
        secrets.AddEventHandler(o => SignalIfReferenced(o.Metadata), (_, o) => SignalIfReferenced(o.Metadata), o => SignalIfReferenced(o.Metadata));

        informers.Start();
        await informers.WaitForCacheSyncAsync(stoppingToken);

        var state = new Func<IngressState>(() => new IngressState(
            ingresses.Lister.List(),
            services.Lister.Get,
            endpoints.Lister.Get,
            secrets.Lister.Get,
            configMaps.Lister.Get(settings.ConfigMapNamespace, settings.ConfigMapName)));

        var reason = "initial sync";
        while (!stoppingToken.IsCancellationRequested)
        {
            _building = true;
            Apply(state(), reason);
            reason = await _changes.Reader.ReadAsync(stoppingToken);
            await DebounceAsync(settings, stoppingToken);
        }
    }

    private void Apply(IngressState state, string reason)
    {
        var started = Stopwatch.GetTimestamp();
        IngressConfiguration configuration;
        try
        {
            configuration = builder.Build(state, _built);
        }
        catch (Exception e)
        {
            IngressControllerLog.BuildFailed(logger, e);
            _building = false;
            return;
        }

        _built = configuration;
        _referenced = configuration.ReferencedObjects;
        _building = false;
        certificates.Update(configuration.Certificates);
        var current = provider.Current;
        if (_applied.Task.IsCompleted
            && current.Routes.SequenceEqual(configuration.Routes)
            && current.Clusters.SequenceEqual(configuration.Clusters))
        {
            IngressControllerLog.Unchanged(logger, reason);
        }
        else
        {
            provider.Update(configuration);
            IngressControllerLog.Applied(
                logger, configuration.Routes.Count, configuration.Clusters.Count, configuration.Certificates.Hosts.Count(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            foreach (var warning in configuration.Warnings)
            {
                IngressControllerLog.IngressWarning(logger, warning);
            }
        }

        _applied.TrySetResult();
        status.ConfigurationApplied();
    }

    /// <summary>Waits until changes pause for the debounce interval, but no longer than the maximum.</summary>
    private async Task DebounceAsync(IngressControllerOptions settings, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(settings.MaxDebounce.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(left < settings.Debounce ? left : settings.Debounce, cancellationToken);
            if (!_changes.Reader.TryRead(out _))
            {
                return;
            }
        }
    }

    private void Signal(string what) => _changes.Writer.TryWrite(what);

    private void SignalIfReferenced(ObjectMeta metadata)
    {
        var key = metadata.Namespace + "/" + metadata.Name;
        if (_building || _referenced.Contains(key))
        {
            Signal(key);
        }
    }

    private async Task EnsureNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        var namespaces = client.For<Namespace>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } }, cancellationToken);
                IngressControllerLog.NamespaceCreated(logger, name);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                return;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(200 * Math.Pow(2, attempt - 1), 10_000));
                IngressControllerLog.NamespaceRetry(logger, name, e.StatusCode.ToString(), delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }
}
