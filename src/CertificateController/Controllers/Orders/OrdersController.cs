using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Orders;

/// <summary>
/// cert-manager's acmeorders controller: places the order at the ACME server, makes a Challenge for every pending
/// authorization with the solver that fits its name, finalizes with the request's CSR once the server says ready,
/// and downloads the chain once valid. A final order (valid, invalid, errored, expired) has its Challenges deleted.
/// Server errors that a retry will not fix end the order as errored; unreachable servers are retried with backoff.
/// </summary>
internal sealed class OrdersController : Controller
{
    private static readonly string[] FinalStates = ["valid", "invalid", "errored", "expired"];
    private readonly Lister<Order> _orders;
    private readonly Lister<Challenge> _challenges;
    private readonly ResourceClient<Order> _orderClient;
    private readonly ResourceClient<Challenge> _challengeClient;
    private readonly AcmeAccounts _accounts;

    public OrdersController(ControllerContext context, AcmeAccounts accounts)
        : base(context, "orders", defaultWorkers: 5)
    {
        _accounts = accounts;
        _orderClient = context.Client.For<Order>();
        _challengeClient = context.Client.For<Challenge>();
        var orders = context.Informers.GetInformer<Order>();
        var challenges = context.Informers.GetInformer<Challenge>();
        _orders = orders.Lister;
        _challenges = challenges.Lister;
        orders.AddEventHandler(onAdd: o => Enqueue(o.Metadata), onUpdate: (_, o) => Enqueue(o.Metadata));
        challenges.AddEventHandler(onAdd: ChallengeChanged, onUpdate: (_, c) => ChallengeChanged(c), onDelete: ChallengeChanged);
        IssuerResolver.OnIssuerChanged(context.Informers, (kind, ns, name) =>
        {
            foreach (var order in _orders.List(ns).Where(o => IssuerResolver.Names(o.Spec?.IssuerRef, kind, name) && !IsFinal(o.Status?.State ?? "")))
            {
                Enqueue(order.Metadata);
            }
        });
    }

    public static bool IsFinal(string state) => FinalStates.Contains(state);

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_orders.Get(ns, name) is not { } cached || cached.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var order = cached.Clone();
        var status = order.Status ??= new OrderStatus();
        if (IsFinal(status.State))
        {
            await DeleteChallengesAsync(order, cancellationToken).ConfigureAwait(false);
            return;
        }

        var client = _accounts.ClientFor(order.Spec.IssuerRef, ns, out var problem);
        if (client is null)
        {
            throw new InvalidOperationException($"order {key} waits for its issuer: {problem}");
        }

        if (status.Url.Length == 0)
        {
            // Placing the order at the server cannot be taken back: it is done on the Order as the api-server holds it
            // now, so that the status write recording it does not fail on a stale cached copy and leave an order at the
            // server that nothing follows while the retry places another.
            cached = await _orderClient.GetOrNullAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (cached is null || cached.Metadata.DeletionTimestamp is not null || cached.Status?.Url.Length > 0)
            {
                // Gone, or placed already: the cache's update event brings the key back.
                return;
            }

            order = cached.Clone();
            status = order.Status ??= new OrderStatus();
        }

        try
        {
            await StepAsync(key, order, client, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeException e) when (e.Status is not (System.Net.HttpStatusCode.TooManyRequests or >= System.Net.HttpStatusCode.InternalServerError))
        {
            Recorder.Event(order, EventTypes.Warning, "Failed", $"Failed to sync Order: {e.Message}");
            SetFinal(order, "errored", e.Message);
        }

        if (!status.Equals(cached.Status))
        {
            await _orderClient.UpdateStatusAsync(order, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StepAsync(string key, Order order, AcmeClient client, CancellationToken cancellationToken)
    {
        var status = order.Status;
        AcmeOrder acmeOrder;
        if (status.Url.Length == 0)
        {
            acmeOrder = await client.CreateOrderAsync(Identifiers(order.Spec), cancellationToken).ConfigureAwait(false);
            status.Url = acmeOrder.Url.AbsoluteUri;
            status.FinalizeUrl = acmeOrder.Finalize.AbsoluteUri;
            foreach (var url in acmeOrder.Authorizations)
            {
                var authorization = await client.GetAuthorizationAsync(url, cancellationToken).ConfigureAwait(false);
                status.Authorizations.Add(Describe(authorization));
            }

            Recorder.Event(order, EventTypes.Normal, "Created", $"Created Order at the ACME server: {status.Url}");
        }
        else
        {
            acmeOrder = await client.GetOrderAsync(new Uri(status.Url), cancellationToken).ConfigureAwait(false);
        }

        status.State = acmeOrder.Status;
        switch (acmeOrder.Status)
        {
            case "pending":
                await EnsureChallengesAsync(order, client, cancellationToken).ConfigureAwait(false);
                break;
            case "ready":
                var finalized = await client.FinalizeOrderAsync(acmeOrder, CsrDer(order.Spec.Request), cancellationToken).ConfigureAwait(false);
                status.State = finalized.Status;
                if (finalized.Status == "valid")
                {
                    await DownloadAsync(order, client, finalized, cancellationToken).ConfigureAwait(false);
                }

                break;
            case "valid":
                await DownloadAsync(order, client, acmeOrder, cancellationToken).ConfigureAwait(false);
                break;
            case "invalid":
                SetFinal(order, "invalid", await InvalidReasonAsync(acmeOrder, client, cancellationToken).ConfigureAwait(false));
                Recorder.Event(order, EventTypes.Warning, "Failed", $"Order failed: {status.Reason}");
                break;
        }

        if (!IsFinal(status.State))
        {
            Queue.AddAfter(key, acmeOrder.RetryAfter is { } wait && wait > Context.Options.AcmePollInterval ? wait : Context.Options.AcmePollInterval);
        }
    }

    /// <summary>One Challenge per authorization still pending, each with the solver its name selects.</summary>
    private async Task EnsureChallengesAsync(Order order, AcmeClient client, CancellationToken cancellationToken)
    {
        var ns = order.Metadata.Namespace;
        var issuer = _accounts.IssuerSpec(order.Spec.IssuerRef, ns);
        foreach (var authorization in order.Status.Authorizations.Where(a => a.InitialState == "pending"))
        {
            var solver = SolverSelector.Select(issuer?.Solvers ?? [], authorization.Identifier, authorization.Wildcard, order.Metadata.Labels);
            var offered = authorization.Challenges.FirstOrDefault(c => c.Type == AcmeChallenge.Http01);
            if (solver is null || offered is null)
            {
                const string reason = "Failed to determine a valid solver configuration for the set of domains on the Order: no configured challenge solvers can be used for this challenge";
                Recorder.Event(order, EventTypes.Warning, "Solver", reason);
                SetFinal(order, "errored", reason);
                return;
            }

            var challenge = ChallengeFor(order, authorization, offered, solver, client.Key.KeyAuthorization(offered.Token));
            if (_challenges.Get(ns, challenge.Metadata.Name) is not null)
            {
                continue;
            }

            try
            {
                await _challengeClient.CreateAsync(challenge, cancellationToken).ConfigureAwait(false);
                Recorder.Event(order, EventTypes.Normal, "Created", $"Created Challenge resource \"{challenge.Metadata.Name}\" for domain \"{authorization.Identifier}\"");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
            }
        }
    }

    private static Challenge ChallengeFor(Order order, ACMEAuthorization authorization, ACMEChallenge offered, ACMEChallengeSolver solver, string key)
    {
        var spec = new ChallengeSpec
        {
            Url = offered.Url,
            AuthorizationUrl = authorization.Url,
            DnsName = authorization.Identifier,
            Wildcard = authorization.Wildcard,
            Type = "HTTP-01",
            Token = offered.Token,
            Key = key,
            Solver = ApplyOverrides(solver.Clone(), order.Metadata.Annotations),
            IssuerRef = order.Spec.IssuerRef.Clone(),
        };
        var challenge = new Challenge
        {
            Metadata = new ObjectMeta
            {
                Name = $"{(order.Metadata.Name.Length > 52 ? order.Metadata.Name[..52] : order.Metadata.Name)}-{Adler32.Checksum(spec.ToByteArray())}",
                Namespace = order.Metadata.Namespace,
                OwnerReferences = { OwnerReferences.NewControllerRef(order.Metadata, ResourceKinds.Order) },
            },
            Spec = spec,
        };
        challenge.Metadata.Labels.Add(order.Metadata.Labels);
        return challenge;
    }

    /// <summary>ingress-shim's per-certificate overrides of the solver's ingress class or ingress name.</summary>
    private static ACMEChallengeSolver ApplyOverrides(ACMEChallengeSolver solver, IReadOnlyDictionary<string, string> annotations)
    {
        var ingress = solver.Http01.Ingress;
        if (annotations.TryGetValue(CertManagerNames.Http01IngressClassOverride, out var ingressClass))
        {
            ingress.Class = ingressClass;
            ingress.ClearIngressClassName();
            ingress.Name = "";
        }

        if (annotations.TryGetValue(CertManagerNames.Http01IngressNameOverride, out var ingressName))
        {
            ingress.Name = ingressName;
            ingress.ClearClass();
            ingress.ClearIngressClassName();
        }

        return solver;
    }

    private async Task DownloadAsync(Order order, AcmeClient client, AcmeOrder acmeOrder, CancellationToken cancellationToken)
    {
        if (acmeOrder.Certificate is null)
        {
            return;
        }

        var chain = await client.DownloadCertificateAsync(acmeOrder.Certificate, cancellationToken).ConfigureAwait(false);
        var preferred = _accounts.IssuerSpec(order.Spec.IssuerRef, order.Metadata.Namespace)?.PreferredChain ?? "";
        if (preferred.Length > 0 && !TopIssuedBy(chain.Pem, preferred))
        {
            foreach (var alternate in chain.Alternates)
            {
                var other = await client.DownloadCertificateAsync(alternate, cancellationToken).ConfigureAwait(false);
                if (TopIssuedBy(other.Pem, preferred))
                {
                    chain = other;
                    break;
                }
            }
        }

        order.Status.Certificate = ByteString.CopyFromUtf8(chain.Pem);
        order.Status.State = "valid";
        Recorder.Event(order, EventTypes.Normal, "Complete", "Order completed successfully");
    }

    /// <summary>Whether the chain ends at a certificate issued by, or named, the preferred chain's common name.</summary>
    private static bool TopIssuedBy(string pem, string commonName)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        return certificates.Count > 0 && (certificates[^1].GetNameInfo(X509NameType.SimpleName, true) == commonName
            || certificates[^1].GetNameInfo(X509NameType.SimpleName, false) == commonName);
    }

    /// <summary>Why the server made the order invalid: the failed challenge's error, naming its domain, else the order's own.</summary>
    private static async Task<string> InvalidReasonAsync(AcmeOrder acmeOrder, AcmeClient client, CancellationToken cancellationToken)
    {
        foreach (var url in acmeOrder.Authorizations)
        {
            var authorization = await client.GetAuthorizationAsync(url, cancellationToken).ConfigureAwait(false);
            if (authorization.Challenges.FirstOrDefault(c => c.Error is not null) is { } failed)
            {
                return $"acme: authorization error for {authorization.Identifier.Value}: {failed.Error}";
            }
        }

        return acmeOrder.Error?.ToString() ?? "the ACME server marked the order invalid";
    }

    private void SetFinal(Order order, string state, string reason)
    {
        order.Status.State = state;
        order.Status.Reason = reason;
        order.Status.FailureTime = Timestamp.FromDateTimeOffset(Now);
    }

    private static ACMEAuthorization Describe(AcmeAuthorization authorization)
    {
        var result = new ACMEAuthorization
        {
            Url = authorization.Url.AbsoluteUri,
            Identifier = authorization.Identifier.Value,
            InitialState = authorization.Status,
        };
        if (authorization.Wildcard)
        {
            result.Wildcard = true;
        }

        result.Challenges.Add(authorization.Challenges.Select(c => new ACMEChallenge { Url = c.Url.AbsoluteUri, Token = c.Token, Type = c.Type }));
        return result;
    }

    private static IEnumerable<AcmeIdentifier> Identifiers(OrderSpec spec) =>
        spec.DnsNames.Select(n => new AcmeIdentifier("dns", n))
            .Concat(spec.IpAddresses.Select(ip => new AcmeIdentifier("ip", ip)));

    private static byte[] CsrDer(ByteString pem)
    {
        var text = pem.ToStringUtf8();
        return PemEncoding.TryFind(text, out var fields)
            ? Convert.FromBase64String(text[fields.Base64Data])
            : throw new CryptographicException("spec.request is not a PEM certificate request");
    }

    private async Task DeleteChallengesAsync(Order order, CancellationToken cancellationToken)
    {
        foreach (var challenge in _challenges.List(order.Metadata.Namespace).Where(c => OwnerReferences.IsControlledBy(c.Metadata, order.Metadata) && c.Metadata.DeletionTimestamp is null))
        {
            await _challengeClient.DeleteIfExistsAsync(challenge.Metadata.Namespace, challenge.Metadata.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ChallengeChanged(Challenge challenge)
    {
        if (OwnerReferences.ControllerOf(challenge.Metadata) is { Kind: "Order" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(challenge.Metadata.Namespace, owner.Name));
        }
    }
}
