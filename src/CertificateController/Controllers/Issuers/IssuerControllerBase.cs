using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>
/// cert-manager's issuers and clusterissuers controllers: run the issuer's setup whenever it or a Secret it names
/// changes, and write the Ready condition with an event when it changes. A setup that failed for a reason that
/// may pass (an ACME server that does not answer) is tried again with backoff.
/// </summary>
internal abstract class IssuerControllerBase<T> : Controller
    where T : class, IMessage<T>, new()
{
    private readonly IssuerSetup _setup;
    private readonly Lister<T> _lister;
    private readonly ResourceClient<T> _client;
    private readonly ResourceKind _kind;

    protected IssuerControllerBase(ControllerContext context, IssuerSetup setup, string name)
        : base(context, name, defaultWorkers: 2)
    {
        _setup = setup;
        _client = context.Client.For<T>();
        _kind = _client.Kind;
        var informer = context.Informers.GetInformer<T>();
        _lister = informer.Lister;
        informer.AddEventHandler(onAdd: i => Enqueue(_kind.Metadata(i)), onUpdate: (_, i) => Enqueue(_kind.Metadata(i)));
        context.Informers.GetInformer<Secret>().AddEventHandler(onAdd: SecretChanged, onUpdate: (_, s) => SecretChanged(s), onDelete: SecretChanged);
    }

    protected abstract GenericIssuer Wrap(T issuer);

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_lister.Get(ns, name) is not { } cached)
        {
            return;
        }

        var issuer = Wrap(cached);
        var status = issuer.Status?.Clone() ?? new IssuerStatus();
        var result = await _setup.SetupAsync(issuer, status, cancellationToken).ConfigureAwait(false);
        var previous = status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Clone();
        var ready = Conditions.Set(status.Conditions, "Ready", result.Status, result.Reason, result.Message, Now);
        ready.ObservedGeneration = issuer.Metadata.Generation;
        if (previous is null || previous.Status != ready.Status || previous.Reason != ready.Reason || previous.Message != ready.Message)
        {
            Recorder.Event(cached, result.Status == Conditions.True ? EventTypes.Normal : EventTypes.Warning, result.Reason, result.Message.Length > 0 ? result.Message : result.Reason);
        }

        if (!status.Equals(issuer.Status))
        {
            var updated = cached.Clone();
            _kind.SetStatus(updated, status);
            await _client.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
        }

        if (result.Retry)
        {
            throw new InvalidOperationException($"{issuer.Describe()} is not ready: {result.Message}");
        }
    }

    /// <summary>The Secrets an issuer depends on: the CA key pair and the ACME account key.</summary>
    protected static bool Uses(IssuerSpec? spec, string secretName) =>
        spec?.Ca?.SecretName == secretName || spec?.Acme?.PrivateKeySecretRef?.Name == secretName;

    protected abstract IEnumerable<T> UsersOf(Secret secret);

    private void SecretChanged(Secret secret)
    {
        foreach (var issuer in UsersOf(secret))
        {
            Enqueue(_kind.Metadata(issuer));
        }
    }
}
