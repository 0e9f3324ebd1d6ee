using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.Client;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.CertificateController.Controllers.CertificateRequests;

/// <summary>
/// cert-manager's certificaterequests controllers: the approver (requests to cert-manager's own issuers are approved
/// by "cert-manager.io"), then the issuer's signer. A request waits (Ready=False, Pending) while its issuer is missing
/// or not ready and is looked at again when the issuer changes; Issued, Failed and Denied are final.
/// </summary>
internal sealed class CertificateRequestsController : Controller
{
    private const string Approved = "Approved";
    private const string Denied = "Denied";
    private const string Ready = "Ready";

    private readonly Lister<CertificateRequest> _requests;
    private readonly ResourceClient<CertificateRequest> _client;
    private readonly IssuerResolver _issuers;
    private readonly LocalSigner _local;
    private readonly AcmeRequestSigner _acme;

    public CertificateRequestsController(ControllerContext context, IssuerResolver issuers)
        : base(context, "certificaterequests", defaultWorkers: 5)
    {
        _issuers = issuers;
        _local = new LocalSigner(context);
        _acme = new AcmeRequestSigner(context);
        _client = context.Client.For<CertificateRequest>();
        var requests = context.Informers.GetInformer<CertificateRequest>();
        _requests = requests.Lister;
        requests.AddEventHandler(onAdd: r => Enqueue(r.Metadata), onUpdate: (_, r) => Enqueue(r.Metadata));
        context.Informers.GetInformer<Order>().AddEventHandler(onAdd: OrderChanged, onUpdate: (_, o) => OrderChanged(o), onDelete: OrderChanged);
        IssuerResolver.OnIssuerChanged(context.Informers, IssuerChanged);
        context.Informers.GetInformer<Secret>().AddEventHandler(onAdd: SecretChanged, onUpdate: (_, s) => SecretChanged(s));
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_requests.Get(ns, name) is not { } cached || cached.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var request = cached.Clone();
        var status = request.Status ??= new CertificateRequestStatus();
        var conditions = status.Conditions;
        if (Conditions.Get(conditions, Ready) is { Reason: SigningResult.Issued or SigningResult.Failed or Denied })
        {
            return;
        }

        var external = !IssuerResolver.IsCertManagerIssuer(request.Spec.IssuerRef);
        if (!external && Conditions.Get(conditions, Approved) is null && Conditions.Get(conditions, Denied) is null)
        {
            const string message = "Certificate request has been approved by cert-manager.io";
            Conditions.Set(conditions, Approved, Conditions.True, "cert-manager.io", message, Now);
            Recorder.Event(request, EventTypes.Normal, "cert-manager.io", message);
        }

        if (Conditions.Is(conditions, Denied, Conditions.True))
        {
            Conditions.Set(conditions, Ready, Conditions.False, Denied, "The CertificateRequest was denied by an approval controller", Now);
            status.FailureTime = Timestamp.FromDateTimeOffset(Now);
        }
        else if (!external && Conditions.Is(conditions, Approved, Conditions.True))
        {
            var result = await SignAsync(request, cancellationToken).ConfigureAwait(false);
            Apply(request, result);
        }

        if (!status.Equals(cached.Status))
        {
            await _client.UpdateStatusAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SigningResult> SignAsync(CertificateRequest request, CancellationToken cancellationToken)
    {
        var reference = request.Spec.IssuerRef;
        var issuer = _issuers.Find(reference, request.Metadata.Namespace, out var notFound);
        if (issuer is null)
        {
            return SigningResult.Wait($"Referenced \"{IssuerResolver.KindOf(reference)}\" not found: {notFound}", "IssuerNotFound");
        }

        if (!issuer.IsReady)
        {
            return SigningResult.Wait("Referenced issuer does not have a Ready status condition", "IssuerNotReady");
        }

        var spec = issuer.Spec;
        return spec.SelfSigned is not null ? _local.SelfSign(request, issuer, Now)
            : spec.Ca is not null ? _local.Sign(request, issuer, Now)
            : spec.Acme is not null ? await _acme.SignAsync(request, Recorder, cancellationToken).ConfigureAwait(false)
            : SigningResult.Wait("Referenced issuer has no issuer type configured", "IssuerNotReady");
    }

    private void Apply(CertificateRequest request, SigningResult result)
    {
        var status = request.Status;
        var previous = Conditions.Get(status.Conditions, Ready)?.Clone();
        Conditions.Set(status.Conditions, Ready, result.Reason == SigningResult.Issued ? Conditions.True : Conditions.False, result.Reason, result.Message, Now);
        if (result.Certificate is { } certificate)
        {
            status.Certificate = certificate;
            status.Ca = result.Ca ?? Google.Protobuf.ByteString.Empty;
        }

        if (result.Reason == SigningResult.Failed)
        {
            status.FailureTime = Timestamp.FromDateTimeOffset(Now);
        }

        var changed = previous is null || previous.Reason != result.Reason || previous.Message != result.Message;
        if (changed && result.EventReason is { } reason)
        {
            Recorder.Event(request, result.Reason == SigningResult.Issued ? EventTypes.Normal : EventTypes.Warning, reason, result.Message);
        }
    }

    private void OrderChanged(Order order)
    {
        if (OwnerReferences.ControllerOf(order.Metadata) is { Kind: "CertificateRequest" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(order.Metadata.Namespace, owner.Name));
        }
    }

    private void IssuerChanged(string kind, string? ns, string name)
    {
        foreach (var request in _requests.List(ns))
        {
            if (IssuerResolver.Names(request.Spec?.IssuerRef, kind, name) && !IsFinal(request))
            {
                Enqueue(request.Metadata);
            }
        }
    }

    private void SecretChanged(Secret secret)
    {
        foreach (var request in _requests.List(secret.Metadata.Namespace))
        {
            if (request.Metadata.Annotations.GetValueOrDefault(CertManagerNames.PrivateKeySecretName) == secret.Metadata.Name && !IsFinal(request))
            {
                Enqueue(request.Metadata);
            }
        }
    }

    private static bool IsFinal(CertificateRequest request) =>
        Conditions.Get(request.Status?.Conditions ?? [], Ready) is { Reason: SigningResult.Issued or SigningResult.Failed or Denied };
}
