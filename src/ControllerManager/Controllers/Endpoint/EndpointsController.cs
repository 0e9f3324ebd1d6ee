using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Endpoint;

/// <summary>
/// Keeps an Endpoints object per Service with a selector (pkg/controller/endpoint): the IPs of matching pods,
/// ready ones in addresses and the others in notReadyAddresses, with each service port resolved per pod (a named
/// targetPort is looked up in the pod's containers; a pod without it is left out of that port's subset).
/// </summary>
public sealed class EndpointsController : Controller<string>
{
    private readonly Lister<Service> _services;
    private readonly Lister<Pod> _pods;
    private readonly Lister<Endpoints> _endpoints;
    private readonly ResourceClient<Endpoints> _client;

    public EndpointsController(ControllerContext context)
        : base(context, "Endpoints", defaultWorkers: 5)
    {
        _client = context.Client.For<Endpoints>();
        var serviceInformer = InformerFor<Service>();
        var podInformer = InformerFor<Pod>();
        var endpointsInformer = InformerFor<Endpoints>();
        _services = serviceInformer.Lister;
        _pods = podInformer.Lister;
        _endpoints = endpointsInformer.Lister;
        AddEventHandler(
            serviceInformer,
            onAdd: s => Queue.Add(MetaNamespaceKey.For(s.Metadata)),
            onUpdate: (_, s) => Queue.Add(MetaNamespaceKey.For(s.Metadata)),
            onDelete: s => Queue.Add(MetaNamespaceKey.For(s.Metadata)));
        AddEventHandler(podInformer, onAdd: EnqueueServicesOf, onUpdate: (old, pod) =>
        {
            EnqueueServicesOf(pod);
            if (!old.Metadata.Labels.Equals(pod.Metadata.Labels))
            {
                EnqueueServicesOf(old);
            }
        }, onDelete: EnqueueServicesOf);
        AddEventHandler(endpointsInformer, onDelete: e => Queue.Add(MetaNamespaceKey.For(e.Metadata)));
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var service = _services.Get(ns, name);
        if (service is null)
        {
            try
            {
                await _client.DeleteAsync(ns, name, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }

            return;
        }

        if (service.Spec is null || service.Spec.Selector.Count == 0)
        {
            return;
        }

        var desired = new Endpoints { Metadata = new ObjectMeta { Namespace = ns, Name = name, Labels = { service.Metadata.Labels } } };
        desired.Subsets.Add(BuildSubsets(service));
        var current = _endpoints.Get(ns, name);
        if (current is null)
        {
            await _client.CreateAsync(desired, cancellationToken).ConfigureAwait(false);
        }
        else if (!current.Subsets.Equals(desired.Subsets) || !current.Metadata.Labels.Equals(desired.Metadata.Labels))
        {
            var updated = current.Clone();
            updated.Subsets.Clear();
            updated.Subsets.Add(desired.Subsets);
            updated.Metadata.Labels.Clear();
            updated.Metadata.Labels.Add(desired.Metadata.Labels);
            await _client.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One subset per distinct set of resolved ports (RepackSubsets), addresses sorted for a stable object.</summary>
    private List<EndpointSubset> BuildSubsets(Service service)
    {
        var selector = LabelSelectorExpression.Parse(string.Join(",", service.Spec.Selector.Select(kv => $"{kv.Key}={kv.Value}")));
        var subsets = new Dictionary<string, EndpointSubset>();
        foreach (var pod in _pods.List(service.Metadata.Namespace, selector))
        {
            if (string.IsNullOrEmpty(pod.Status?.PodIp) || PodConditions.IsTerminating(pod) || pod.Status.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            var ports = service.Spec.Ports.Select(p => ResolvePort(p, pod)).OfType<EndpointPort>().ToList();
            if (service.Spec.Ports.Count > 0 && ports.Count == 0)
            {
                continue;
            }

            var key = string.Join(";", ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"));
            if (!subsets.TryGetValue(key, out var subset))
            {
                subsets[key] = subset = new EndpointSubset();
                subset.Ports.Add(ports);
            }

            var address = new EndpointAddress
            {
                Ip = pod.Status.PodIp,
                NodeName = pod.Spec?.NodeName ?? "",
                TargetRef = new ObjectReference { Kind = "Pod", Namespace = pod.Metadata.Namespace, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            };
            if (!string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name)
            {
                address.Hostname = pod.Spec.Hostname;
            }

            (PodConditions.IsReady(pod) || service.Spec.PublishNotReadyAddresses ? subset.Addresses : subset.NotReadyAddresses).Add(address);
        }

        foreach (var subset in subsets.Values)
        {
            Sort(subset.Addresses);
            Sort(subset.NotReadyAddresses);
        }

        return [.. subsets.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value)];
    }

    private static void Sort(Google.Protobuf.Collections.RepeatedField<EndpointAddress> addresses)
    {
        var sorted = addresses.OrderBy(a => a.Ip, StringComparer.Ordinal).ThenBy(a => a.TargetRef?.Name, StringComparer.Ordinal).ToList();
        addresses.Clear();
        addresses.Add(sorted);
    }

    private static EndpointPort? ResolvePort(ServicePort servicePort, Pod pod)
    {
        var protocol = string.IsNullOrEmpty(servicePort.Protocol) ? "TCP" : servicePort.Protocol;
        int port;
        var target = servicePort.TargetPort;
        if (target is { KindCase: Value.KindOneofCase.StringValue } && !int.TryParse(target.StringValue, out _))
        {
            var named = pod.Spec?.Containers.SelectMany(c => c.Ports)
                .FirstOrDefault(p => p.Name == target.StringValue && (string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol) == protocol);
            if (named is null)
            {
                return null;
            }

            port = named.ContainerPort_;
        }
        else
        {
            port = target switch
            {
                { KindCase: Value.KindOneofCase.NumberValue } => (int)target.NumberValue,
                { KindCase: Value.KindOneofCase.StringValue } => int.Parse(target.StringValue, System.Globalization.CultureInfo.InvariantCulture),
                _ => servicePort.Port,
            };
        }

        return new EndpointPort { Name = servicePort.Name, Port = port, Protocol = protocol, AppProtocol = servicePort.AppProtocol };
    }

    private void EnqueueServicesOf(Pod pod)
    {
        foreach (var service in _services.List(pod.Metadata.Namespace))
        {
            if (service.Spec?.Selector.Count > 0 && service.Spec.Selector.All(kv => pod.Metadata.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                Queue.Add(MetaNamespaceKey.For(service.Metadata));
            }
        }
    }
}
