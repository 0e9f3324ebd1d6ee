using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Namespaces;

/// <summary>
/// Empties terminating namespaces (pkg/controller/namespace): deletes every namespaced object in one, reports what
/// is left in its conditions, looks again once the slowest pod's grace period is up (or as soon as a pod in it goes),
/// and when nothing is left releases the "kubernetes" finalizer, upon which the api-server removes the namespace.
/// </summary>
public sealed class NamespaceController : Controller<string>
{
    public const string KubernetesFinalizer = "kubernetes";

    // Objects without a grace period go as soon as their finalizers do; look again shortly rather than at once.
    private static readonly TimeSpan MinimumRecheck = TimeSpan.FromSeconds(1);

    private readonly ResourceClient<Namespace> _namespaces;
    private readonly Lister<Namespace> _lister;
    private readonly NamespacedResourcesDeleter _deleter;

    public NamespaceController(ControllerContext context)
        : base(context, "Namespace", defaultWorkers: 10)
    {
        _namespaces = context.Client.For<Namespace>();
        _deleter = new NamespacedResourcesDeleter(context.Client, context.Time);
        var informer = InformerFor<Namespace>();
        _lister = informer.Lister;
        AddEventHandler(informer, onAdd: EnqueueIfTerminating, onUpdate: (_, ns) => EnqueueIfTerminating(ns));
        AddEventHandler(InformerFor<Pod>(), onDelete: pod =>
        {
            if (_lister.Get("", pod.Metadata.Namespace) is { } ns)
            {
                EnqueueIfTerminating(ns);
            }
        });
    }

    protected internal override async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        Namespace ns;
        try
        {
            ns = await _namespaces.GetAsync("", name, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return;
        }

        if (ns.Metadata.DeletionTimestamp is null || ns.Spec?.Finalizers.Contains(KubernetesFinalizer) != true)
        {
            return;
        }

        var content = await _deleter.DeleteAllContentAsync(name, cancellationToken).ConfigureAwait(false);
        var status = NamespaceConditions.For(ns.Status, content, Now);
        if (!status.Equals(ns.Status))
        {
            ns.Status = status;
            ns = await _namespaces.UpdateStatusAsync(ns, cancellationToken).ConfigureAwait(false);
        }

        if (content.Failures.Count > 0)
        {
            throw new InvalidOperationException($"namespace {name}: {string.Join("; ", content.Failures)}");
        }

        if (!content.Empty)
        {
            ControllerLog.Trace(Logger, Name, name, $"waiting on {string.Join(", ", content.Remaining.Select(r => $"{r.Value} {r.Key}"))}");
            Queue.AddAfter(name, content.Estimate > MinimumRecheck ? content.Estimate : MinimumRecheck);
            return;
        }

        ns.Spec.Finalizers.Remove(KubernetesFinalizer);
        try
        {
            await _namespaces.UpdateAsync(ns, cancellationToken).ConfigureAwait(false);
            ControllerLog.Info(Logger, Name, $"namespace {name} is empty; released its finalizer");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    private void EnqueueIfTerminating(Namespace ns)
    {
        if (ns.Metadata.DeletionTimestamp is not null)
        {
            Queue.Add(ns.Metadata.Name);
        }
    }
}
