using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using ServiceAccountObject = KubeMesh.Api.Core.V1.ServiceAccount;

namespace KubeMesh.ControllerManager.Controllers.ServiceAccount;

/// <summary>
/// Makes sure every active namespace has a "default" ServiceAccount (pkg/controller/serviceaccount's
/// ServiceAccountsController): each namespace is looked at when it appears or changes and whenever its default
/// account is deleted, so a deleted one comes back. A terminating namespace is left alone.
/// </summary>
public sealed class ServiceAccountsController : Controller<string>
{
    public const string DefaultName = "default";

    private readonly ResourceClient<ServiceAccountObject> _accounts;
    private readonly Lister<Namespace> _namespaces;
    private readonly Lister<ServiceAccountObject> _accountLister;

    public ServiceAccountsController(ControllerContext context)
        : base(context, "ServiceAccount", defaultWorkers: 1)
    {
        _accounts = context.Client.For<ServiceAccountObject>();
        var namespaces = InformerFor<Namespace>();
        _namespaces = namespaces.Lister;
        var accounts = InformerFor<ServiceAccountObject>();
        _accountLister = accounts.Lister;
        AddEventHandler(namespaces, onAdd: ns => Queue.Add(ns.Metadata.Name), onUpdate: (_, ns) => Queue.Add(ns.Metadata.Name));
        AddEventHandler(accounts, onDelete: sa =>
        {
            if (sa.Metadata.Name == DefaultName)
            {
                Queue.Add(sa.Metadata.Namespace);
            }
        });
    }

    protected internal override async Task SyncAsync(string ns, CancellationToken cancellationToken)
    {
        var namespaceObject = _namespaces.Get("", ns);
        if (namespaceObject is null || namespaceObject.Metadata.DeletionTimestamp is not null || namespaceObject.Status?.Phase == "Terminating")
        {
            return;
        }

        if (_accountLister.Get(ns, DefaultName) is not null)
        {
            return;
        }

        try
        {
            await _accounts.CreateAsync(new ServiceAccountObject { Metadata = new ObjectMeta { Name = DefaultName, Namespace = ns } }, cancellationToken).ConfigureAwait(false);
            ControllerLog.Trace(Logger, Name, ns, "created the default service account");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // The cache is behind; the account is there.
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound
            || (e.StatusCode == StatusCode.PermissionDenied && e.Status.Detail.Contains("being terminated", StringComparison.Ordinal)))
        {
            // The namespace went away or began terminating since the cache saw it.
        }
    }
}
