using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.CertificateController.Controllers.Orders;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Challenges;

/// <summary>
/// cert-manager's acmechallenges controller: presents the challenge with its solver, checks that the key
/// authorization is reachable the way the ACME server will fetch it, then asks the server to validate and follows the
/// result; a finished or deleted challenge's solver resources are removed (the finalizer holds deletion until then).
/// </summary>
internal sealed class ChallengesController : Controller
{
    public const string Finalizer = "finalizer.acme.cert-manager.io";

    private readonly Lister<Challenge> _challenges;
    private readonly ResourceClient<Challenge> _client;
    private readonly AcmeAccounts _accounts;
    private readonly Http01Solver _solver;
    private readonly Http01SelfCheck _selfCheck;

    public ChallengesController(ControllerContext context, AcmeAccounts accounts)
        : base(context, "challenges", defaultWorkers: 5)
    {
        _accounts = accounts;
        _solver = new Http01Solver(context);
        _selfCheck = new Http01SelfCheck(context);
        _client = context.Client.For<Challenge>();
        var challenges = context.Informers.GetInformer<Challenge>();
        _challenges = challenges.Lister;
        challenges.AddEventHandler(onAdd: c => Enqueue(c.Metadata), onUpdate: (_, c) => Enqueue(c.Metadata));
        IssuerResolver.OnIssuerChanged(context.Informers, (kind, ns, name) =>
        {
            foreach (var challenge in challenges.Lister.List(ns).Where(c => IssuerResolver.Names(c.Spec?.IssuerRef, kind, name)))
            {
                Enqueue(challenge.Metadata);
            }
        });
        var solvers = new InformerOptions { LabelSelector = CertManagerNames.SolverLabel + "=true" };
        context.Informers.GetInformer<Pod>(solvers).AddEventHandler(onUpdate: (_, p) => OwnerChanged(p.Metadata), onDelete: p => OwnerChanged(p.Metadata));
        context.Informers.GetInformer<Ingress>(solvers).AddEventHandler(onDelete: i => OwnerChanged(i.Metadata));
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_challenges.Get(ns, name) is not { } cached)
        {
            return;
        }

        if (cached.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(cached, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!cached.Metadata.Finalizers.Contains(Finalizer))
        {
            var withFinalizer = cached.Clone();
            withFinalizer.Metadata.Finalizers.Add(Finalizer);
            await _client.UpdateAsync(withFinalizer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var challenge = cached.Clone();
        var status = challenge.Status ??= new ChallengeStatus();
        if (OrdersController.IsFinal(status.State))
        {
            if (status.Presented || status.Processing || _solver.HasResources(challenge))
            {
                await _solver.CleanUpAsync(challenge, cancellationToken).ConfigureAwait(false);
                status.Presented = false;
                status.Processing = false;
            }
        }
        else
        {
            await ProcessAsync(key, challenge, cancellationToken).ConfigureAwait(false);
        }

        if (!status.Equals(cached.Status))
        {
            await _client.UpdateStatusAsync(challenge, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(string key, Challenge challenge, CancellationToken cancellationToken)
    {
        var status = challenge.Status;
        var client = _accounts.ClientFor(challenge.Spec.IssuerRef, challenge.Metadata.Namespace, out var problem)
            ?? throw new InvalidOperationException($"challenge {key} waits for its issuer: {problem}");
        try
        {
            if (status.State.Length == 0)
            {
                // A reused authorization may be valid already.
                var current = await client.GetChallengeAsync(new Uri(challenge.Spec.Url), cancellationToken).ConfigureAwait(false);
                status.State = current.Status;
                if (Finished(challenge, current))
                {
                    return;
                }
            }

            status.Processing = true;
            if (!status.Presented)
            {
                await _solver.PresentAsync(challenge, cancellationToken).ConfigureAwait(false);
                status.Presented = true;
                status.PresentedAt = Timestamp.FromDateTimeOffset(Now);
                Recorder.Event(challenge, EventTypes.Normal, "Presented", $"Presented challenge using {challenge.Spec.Type} challenge mechanism");
            }

            if (status.State == "pending")
            {
                if (await _selfCheck.CheckAsync(challenge.Spec.DnsName, challenge.Spec.Token, challenge.Spec.Key, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    status.Reason = $"Waiting for {challenge.Spec.Type} challenge propagation: {failure}";
                    Queue.AddAfter(key, Context.Options.AcmePollInterval);
                    return;
                }

                // "pending" here is what this controller last recorded, which may be behind the server: a process
                // stopped after accepting and before recording it, or a status write lost to a conflict, leaves the
                // challenge processing or valid at the server. Only a pending challenge can be responded to (RFC 8555
                // section 7.5.1); a second response is refused and would end the challenge as errored, removing the
                // solver while the server may still be validating it. So the server is asked before answering.
                var url = new Uri(challenge.Spec.Url);
                var current = await client.GetChallengeAsync(url, cancellationToken).ConfigureAwait(false);
                if (current.Status == "pending")
                {
                    current = await client.AcceptChallengeAsync(url, cancellationToken).ConfigureAwait(false);
                }

                status.State = current.Status is "pending" ? "processing" : current.Status;
                status.Reason = "";
                if (Finished(challenge, current))
                {
                    return;
                }
            }

            var polled = await client.GetChallengeAsync(new Uri(challenge.Spec.Url), cancellationToken).ConfigureAwait(false);
            if (!Finished(challenge, polled))
            {
                Queue.AddAfter(key, Context.Options.AcmePollInterval);
            }
        }
        catch (AcmeException e) when (e.Status is not (System.Net.HttpStatusCode.TooManyRequests or >= System.Net.HttpStatusCode.InternalServerError))
        {
            status.State = "errored";
            status.Reason = e.Message;
            Recorder.Event(challenge, EventTypes.Warning, "Failed", $"Accepting challenge authorization failed: {e.Message}");
        }
    }

    /// <summary>Records a final server state (valid or invalid) with cert-manager's reason and event; false while still pending.</summary>
    private bool Finished(Challenge challenge, AcmeChallenge current)
    {
        var status = challenge.Status;
        switch (current.Status)
        {
            case "valid":
                status.State = "valid";
                status.Reason = "Successfully authorized domain";
                Recorder.Event(challenge, EventTypes.Normal, "DomainVerified", $"Domain \"{challenge.Spec.DnsName}\" verified with \"{challenge.Spec.Type}\" validation");
                Queue.Add(MetaNamespaceKey.For(challenge.Metadata));
                return true;
            case "invalid":
                status.State = "invalid";
                status.Reason = $"Error accepting authorization: acme: authorization error for {challenge.Spec.DnsName}: {current.Error}";
                Recorder.Event(challenge, EventTypes.Warning, "Failed", $"Accepting challenge authorization failed: {status.Reason}");
                Queue.Add(MetaNamespaceKey.For(challenge.Metadata));
                return true;
            default:
                status.State = current.Status;
                return false;
        }
    }

    private async Task FinalizeAsync(Challenge challenge, CancellationToken cancellationToken)
    {
        if (!challenge.Metadata.Finalizers.Contains(Finalizer))
        {
            return;
        }

        await _solver.CleanUpAsync(challenge, cancellationToken).ConfigureAwait(false);
        var updated = challenge.Clone();
        updated.Metadata.Finalizers.Remove(Finalizer);
        try
        {
            await _client.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    private void OwnerChanged(Api.Meta.V1.ObjectMeta metadata)
    {
        if (OwnerReferences.ControllerOf(metadata) is { Kind: "Challenge" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(metadata.Namespace, owner.Name));
        }
    }

    public override void Dispose()
    {
        _selfCheck.Dispose();
        base.Dispose();
    }
}
