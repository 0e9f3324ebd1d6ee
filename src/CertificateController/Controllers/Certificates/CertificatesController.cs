using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Certificates;

/// <summary>
/// Keeps each Certificate's Secret issued and renewed, doing in one sync what cert-manager splits into its
/// certificates controllers (pkg/controller/certificates): trigger (decide to issue, with backoff after failures),
/// key manager (the next private key in a temporary Secret), request manager (one CertificateRequest per revision),
/// issuing (write the Secret when the request is Ready), readiness (Ready, notBefore, notAfter, renewalTime) and
/// revision manager (old requests beyond revisionHistoryLimit go). Status is written last, once per sync.
/// </summary>
internal sealed partial class CertificatesController : Controller
{
    // Requeue at the renewal time, but look again at least daily (the queue's delays are timers).
    private static readonly TimeSpan MaxRequeue = TimeSpan.FromHours(24);

    private readonly Lister<Certificate> _certificates;
    private readonly Lister<CertificateRequest> _requests;
    private readonly Lister<Secret> _secrets;
    private readonly ResourceClient<Certificate> _certificateClient;
    private readonly ResourceClient<CertificateRequest> _requestClient;
    private readonly ResourceClient<Secret> _secretClient;

    public CertificatesController(ControllerContext context)
        : base(context, "certificates", defaultWorkers: 5)
    {
        _certificateClient = context.Client.For<Certificate>();
        _requestClient = context.Client.For<CertificateRequest>();
        _secretClient = context.Client.For<Secret>();
        var certificates = context.Informers.GetInformer<Certificate>();
        var requests = context.Informers.GetInformer<CertificateRequest>();
        var secrets = context.Informers.GetInformer<Secret>();
        _certificates = certificates.Lister;
        _requests = requests.Lister;
        _secrets = secrets.Lister;
        certificates.AddEventHandler(onAdd: c => Enqueue(c.Metadata), onUpdate: (_, c) => Enqueue(c.Metadata));
        requests.AddEventHandler(onAdd: OwnerChanged, onUpdate: (_, r) => OwnerChanged(r), onDelete: OwnerChanged);
        secrets.AddEventHandler(onAdd: SecretChanged, onUpdate: (_, s) => SecretChanged(s), onDelete: SecretChanged);
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_certificates.Get(ns, name) is not { } cached || cached.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var secret = _secrets.Get(ns, cached.Spec.SecretName);
        var violation = TriggerViolation(cached, secret);
        if (violation is not null || IsIssuing(cached))
        {
            // An issuance writes objects (key Secrets, requests, the Secret), so it goes on what the api-server holds,
            // not on caches that may not have seen the last sync's writes yet: a Secret just issued but not yet in the
            // cache would look missing and start a second issuance.
            cached = await _certificateClient.GetOrNullAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (cached is null || cached.Metadata.DeletionTimestamp is not null)
            {
                return;
            }

            secret = await _secretClient.GetOrNullAsync(ns, cached.Spec.SecretName, cancellationToken).ConfigureAwait(false);
            violation = TriggerViolation(cached, secret);
        }

        var certificate = cached.Clone();
        certificate.Status ??= new CertificateStatus();
        if (violation is not null)
        {
            Trigger(key, certificate, violation);
        }

        if (IsIssuing(certificate))
        {
            secret = await IssueAsync(certificate, secret, cancellationToken).ConfigureAwait(false) ?? secret;
        }
        else
        {
            await DeleteNextPrivateKeyAsync(certificate, cancellationToken).ConfigureAwait(false);
        }

        UpdateReadiness(key, certificate, secret);
        await DeleteOldRequestsAsync(certificate, cancellationToken).ConfigureAwait(false);
        if (!certificate.Status.Equals(cached.Status))
        {
            await _certificateClient.UpdateStatusAsync(certificate, cancellationToken).ConfigureAwait(false);
        }
    }

    private const string Issuing = "Issuing";
    private const string Ready = "Ready";

    private Timestamp NowStamp => Timestamp.FromDateTimeOffset(Now);

    private void SetCondition(Certificate certificate, string type, string status, string reason, string message) =>
        Conditions.Set(certificate.Status.Conditions, type, status, reason, message, Now).ObservedGeneration = certificate.Metadata.Generation;

    private void RequeueAfter(string key, TimeSpan delay) =>
        Queue.AddAfter(key, delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxRequeue ? MaxRequeue : delay);

    private void OwnerChanged(CertificateRequest request)
    {
        if (OwnerReferences.ControllerOf(request.Metadata) is { Kind: "Certificate" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(request.Metadata.Namespace, owner.Name));
        }
    }

    private void SecretChanged(Secret secret)
    {
        foreach (var certificate in _certificates.List(secret.Metadata.Namespace).Where(c => c.Spec?.SecretName == secret.Metadata.Name))
        {
            Enqueue(certificate.Metadata);
        }

        if (OwnerReferences.ControllerOf(secret.Metadata) is { Kind: "Certificate" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(secret.Metadata.Namespace, owner.Name));
        }
    }
}
