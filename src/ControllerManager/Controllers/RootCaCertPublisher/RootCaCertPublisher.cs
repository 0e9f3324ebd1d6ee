using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using Microsoft.Extensions.Configuration;

namespace KubeMesh.ControllerManager.Controllers.RootCaCertPublisher;

/// <summary>
/// Publishes the cluster CA as the ConfigMap kube-root-ca.crt (key ca.crt) in every active namespace, and puts it
/// back when it is changed or deleted (pkg/controller/certificates/rootcacertpublisher): what the projected
/// kube-api-access volume of every pod reads its ca.crt from. The CA is Controllers:RootCaCertPublisher:RootCaFile
/// (kube-controller-manager's --root-ca-file); without it nothing is published.
/// </summary>
public sealed class RootCaCertPublisher : Controller<string>
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string Key = "ca.crt";

    private readonly ResourceClient<ConfigMap> _configMaps;
    private readonly Lister<Namespace> _namespaces;
    private readonly Lister<ConfigMap> _published;
    private readonly string? _rootCa;

    public RootCaCertPublisher(ControllerContext context)
        : base(context, "RootCaCertPublisher", defaultWorkers: 1)
    {
        _configMaps = context.Client.For<ConfigMap>();
        var file = context.Configuration[$"Controllers:{Name}:RootCaFile"];
        _rootCa = string.IsNullOrWhiteSpace(file) ? null : File.ReadAllText(file);
        var namespaces = InformerFor<Namespace>();
        _namespaces = namespaces.Lister;
        var configMaps = InformerFor<ConfigMap>(new InformerOptions { FieldSelector = "metadata.name=" + ConfigMapName });
        _published = configMaps.Lister;
        AddEventHandler(namespaces, onAdd: ns => Queue.Add(ns.Metadata.Name), onUpdate: (_, ns) => Queue.Add(ns.Metadata.Name));
        AddEventHandler(configMaps, onUpdate: (_, cm) => Queue.Add(cm.Metadata.Namespace), onDelete: cm => Queue.Add(cm.Metadata.Namespace));
    }

    protected internal override async Task SyncAsync(string ns, CancellationToken cancellationToken)
    {
        var namespaceObject = _namespaces.Get("", ns);
        if (_rootCa is null || namespaceObject is null || namespaceObject.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        try
        {
            if (_published.Get(ns, ConfigMapName) is not { } current)
            {
                var created = new ConfigMap { Metadata = new ObjectMeta { Name = ConfigMapName, Namespace = ns } };
                created.Data[Key] = _rootCa;
                await _configMaps.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            }
            else if (current.Data.Count != 1 || current.Data.GetValueOrDefault(Key) != _rootCa || current.BinaryData.Count > 0)
            {
                var updated = current.Clone();
                updated.Data.Clear();
                updated.BinaryData.Clear();
                updated.Data[Key] = _rootCa;
                await _configMaps.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound
            || (e.StatusCode == StatusCode.PermissionDenied && e.Status.Detail.Contains("being terminated", StringComparison.Ordinal)))
        {
            // The namespace went away or began terminating since the cache saw it.
        }
    }
}
