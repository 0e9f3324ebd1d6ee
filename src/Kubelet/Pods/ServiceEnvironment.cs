using System.Globalization;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// The Services a container learns from its environment, as the kubelet's getServiceEnvVarMap and envvars.FromServices
/// build them: default/kubernetes always (KUBERNETES_SERVICE_HOST, which in-cluster clients read), and with
/// enableServiceLinks (the default) every Service of the pod's namespace that has a cluster IP, each as
/// NAME_SERVICE_HOST, NAME_SERVICE_PORT, NAME_SERVICE_PORT_PORTNAME and Docker's link variables NAME_PORT,
/// NAME_PORT_443_TCP, ..._PROTO, ..._PORT, ..._ADDR. One watch of every Service, started with the first container
/// and kept, as the kubelet's service informer.
/// </summary>
public sealed class ServiceEnvironment(KubeMeshClient client, ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>The Services of the default namespace every pod learns about (the kubelet's masterServices).</summary>
    public const string MasterService = "kubernetes";

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Informer<Service>? _informer;
    private Task? _running;

    /// <summary>The variables for <paramref name="pod"/>, waiting for the first list of Services (the kubelet refuses to start a container before it).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ForPodAsync(Pod pod, CancellationToken cancellationToken)
    {
        var informer = Start();
        await informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        var ns = pod.Metadata.Namespace;
        var links = pod.Spec?.EnableServiceLinks ?? true;
        var chosen = new SortedDictionary<string, Service>(StringComparer.Ordinal);
        if (links)
        {
            foreach (var service in informer.Lister.List(ns))
            {
                chosen[service.Metadata.Name] = service;
            }
        }

        if (informer.Lister.Get("default", MasterService) is { } master && !chosen.ContainsKey(MasterService))
        {
            chosen[MasterService] = master;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in chosen.Values)
        {
            Add(result, service);
        }

        return result;
    }

    /// <summary>envvars.FromServices for one Service; nothing for a headless one or one without ports.</summary>
    public static void Add(IDictionary<string, string> env, Service service)
    {
        var ip = service.Spec?.ClusterIp ?? "";
        if (ip.Length == 0 || ip == "None" || service.Spec!.Ports.Count == 0)
        {
            return;
        }

        var prefix = VariableName(service.Metadata.Name);
        env[prefix + "_SERVICE_HOST"] = ip;
        env[prefix + "_SERVICE_PORT"] = Number(service.Spec.Ports[0].Port);
        foreach (var port in service.Spec.Ports.Where(p => p.Name.Length > 0))
        {
            env[prefix + "_SERVICE_PORT_" + VariableName(port.Name)] = Number(port.Port);
        }

        for (var i = 0; i < service.Spec.Ports.Count; i++)
        {
            var port = service.Spec.Ports[i];
            var protocol = port.Protocol.Length == 0 ? "TCP" : port.Protocol;
            var lower = protocol.ToLowerInvariant();
            var url = $"{lower}://{ip}:{Number(port.Port)}";
            if (i == 0)
            {
                env[prefix + "_PORT"] = url;
            }

            var portPrefix = $"{prefix}_PORT_{Number(port.Port)}_{protocol.ToUpperInvariant()}";
            env[portPrefix] = url;
            env[portPrefix + "_PROTO"] = lower;
            env[portPrefix + "_PORT"] = Number(port.Port);
            env[portPrefix + "_ADDR"] = ip;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            try
            {
                await _running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    private static string VariableName(string name) => name.ToUpperInvariant().Replace('-', '_');

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private Informer<Service> Start()
    {
        lock (_lock)
        {
            if (_informer is null)
            {
                _informer = new Informer<Service>(client.For<Service>(), logger: loggers.CreateLogger<Informer<Service>>());
                _running = _informer.RunAsync(_stopping.Token);
            }

            return _informer;
        }
    }
}
