using System.Net;
using System.Net.Sockets;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Proxy.Backends;
using KubeMesh.Proxy.Listeners;
using KubeMesh.Proxy.LoadBalancers;
using Microsoft.Extensions.Options;

namespace KubeMesh.Proxy;

/// <summary>
/// kube-proxy's sync loop: informers on Services, Endpoints and Nodes only request a sync from the
/// <see cref="RebuildReconciler"/>; each sync computes the listeners that should exist (cluster IP, every node
/// address at the node port, the load-balancer address) for service ports that have ready endpoints, opens the
/// missing ones, closes the stale ones and publishes the new backend sets for listeners to read. A port without
/// ready endpoints has no listener, so connecting to it is refused at once, as kube-proxy's REJECT rule does.
/// A sync that could not bind or write status is retried with back-off; every sync is repeated each syncPeriod.
/// </summary>
public sealed partial class ServiceProxier : BackgroundService
{
    // kube-proxy's --sync-period; retries start at a second, as its minSyncPeriod.
    private static readonly RebuildReconcilerOptions SyncOptions = new()
    {
        ResyncPeriod = TimeSpan.FromSeconds(30),
        InitialRetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(30),
    };

    private readonly SharedInformerFactory _informers;
    private readonly LoadBalancerAllocator _loadBalancers;
    private readonly ProxyOptions _options;
    private readonly ILogger<ServiceProxier> _logger;
    private readonly RebuildReconciler _sync;
    private readonly Dictionary<IPEndPoint, TcpServiceListener> _listeners = [];
    private Dictionary<ServicePortName, BackendSet> _backends = [];

    public ServiceProxier(SharedInformerFactory informers, LoadBalancerAllocator loadBalancers, IOptions<ProxyOptions> options, ILogger<ServiceProxier> logger)
    {
        _informers = informers;
        _loadBalancers = loadBalancers;
        _options = options.Value;
        _logger = logger;
        _sync = new RebuildReconciler("proxy", SyncAsync, SyncOptions, logger);
        _sync.Watch(informers.GetInformer<Service>());
        _sync.Watch(informers.GetInformer<Endpoints>());
        _sync.Watch(informers.GetInformer<Node>());
    }

    /// <summary>The addresses being listened on now (for status and tests).</summary>
    public IReadOnlyCollection<IPEndPoint> ListeningOn
    {
        get
        {
            lock (_listeners)
            {
                return [.. _listeners.Keys];
            }
        }
    }

    public override void Dispose()
    {
        _sync.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _informers.Start();
        try
        {
            await _sync.RunAsync(stoppingToken);
        }
        finally
        {
            await CloseAllAsync();
        }
    }

    /// <summary>One pass; false when something (a bind, a status write) must be retried soon.</summary>
    private async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        var services = _informers.GetLister<Service>().List();
        var endpoints = _informers.GetLister<Endpoints>();
        var nodeAddresses = NodeAddresses(_informers.GetLister<Node>().List());
        var backends = new Dictionary<ServicePortName, BackendSet>();
        var desired = new Dictionary<IPEndPoint, ServicePortName>();
        foreach (var service in services)
        {
            var spec = service.Spec;
            if (spec is null || spec.Type == "ExternalName" || !IPAddress.TryParse(spec.ClusterIp, out var clusterIp))
            {
                continue;
            }

            foreach (var port in spec.Ports.Where(p => p.Protocol is "" or "TCP"))
            {
                var name = new ServicePortName(service.Metadata.Namespace, service.Metadata.Name, port.Name);
                var ready = EndpointsResolver.ReadyBackends(endpoints.Get(service.Metadata.Namespace, service.Metadata.Name), port);
                if (ready.Count == 0)
                {
                    continue;
                }

                // Keeping the old set when nothing changed keeps its round-robin position.
                backends[name] = _backends.TryGetValue(name, out var old) && old.SameAs(ready) ? old : new BackendSet(ready);
                desired[new IPEndPoint(clusterIp, port.Port)] = name;
                if (spec.Type is "NodePort" or "LoadBalancer" && port.NodePort != 0)
                {
                    foreach (var address in nodeAddresses)
                    {
                        desired[new IPEndPoint(address, port.NodePort)] = name;
                    }
                }

                if (spec.Type == "LoadBalancer")
                {
                    foreach (var ingress in service.Status?.LoadBalancer?.Ingress ?? [])
                    {
                        if (IPAddress.TryParse(ingress.Ip, out var external))
                        {
                            desired[new IPEndPoint(external, port.Port)] = name;
                        }
                    }
                }
            }
        }

        Volatile.Write(ref _backends, backends);
        var complete = await ReconcileListenersAsync(desired);
        try
        {
            await _loadBalancers.ReconcileAsync(services, cancellationToken);
        }
        catch (Grpc.Core.RpcException ex)
        {
            LogStatusFailed(_logger, ex.Status.Detail);
            complete = false;
        }

        return complete;
    }

    private async Task<bool> ReconcileListenersAsync(Dictionary<IPEndPoint, ServicePortName> desired)
    {
        List<TcpServiceListener> stale;
        lock (_listeners)
        {
            stale = _listeners.Where(l => !desired.TryGetValue(l.Key, out var name) || name != l.Value.Service).Select(l => l.Value).ToList();
            foreach (var listener in stale)
            {
                _listeners.Remove(listener.Endpoint);
            }
        }

        foreach (var listener in stale)
        {
            await listener.DisposeAsync();
            LogStopped(_logger, listener.Service.ToString(), listener.Endpoint.ToString());
        }

        var complete = true;
        foreach (var (endpoint, name) in desired)
        {
            lock (_listeners)
            {
                if (_listeners.ContainsKey(endpoint))
                {
                    continue;
                }
            }

            try
            {
                var listener = new TcpServiceListener(endpoint, name, () => Volatile.Read(ref _backends).GetValueOrDefault(name), _options.BackendConnectTimeout, _logger);
                lock (_listeners)
                {
                    _listeners[endpoint] = listener;
                }

                LogListening(_logger, name.ToString(), endpoint.ToString());
            }
            catch (SocketException ex)
            {
                LogBindFailed(_logger, name.ToString(), endpoint.ToString(), ex.SocketErrorCode.ToString());
                complete = false;
            }
        }

        return complete;
    }

    private List<IPAddress> NodeAddresses(IReadOnlyList<Node> nodes)
    {
        var addresses = nodes.SelectMany(n => n.Status?.Addresses ?? [])
            .Where(a => a.Type == "InternalIP" && IPAddress.TryParse(a.Address, out _))
            .Select(a => IPAddress.Parse(a.Address)).ToList();
        if (_options.NodePortOnLocalhost)
        {
            addresses.Add(IPAddress.Loopback);
        }

        return addresses.Distinct().ToList();
    }

    private async Task CloseAllAsync()
    {
        List<TcpServiceListener> all;
        lock (_listeners)
        {
            all = [.. _listeners.Values];
            _listeners.Clear();
        }

        foreach (var listener in all)
        {
            await listener.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxying {Service} on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string service, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped proxying {Service} on {Endpoint}")]
    private static partial void LogStopped(ILogger logger, string service, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot listen for {Service} on {Endpoint}: {Error}; retrying")]
    private static partial void LogBindFailed(ILogger logger, string service, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing load-balancer status failed: {Reason}; retrying")]
    private static partial void LogStatusFailed(ILogger logger, string reason);
}
