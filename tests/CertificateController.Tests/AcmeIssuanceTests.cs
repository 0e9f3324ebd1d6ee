using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.CertificateController.Tests.Infrastructure;
using static KubeMesh.CertificateController.Tests.Infrastructure.CertManagerObjects;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.CertificateController.Tests;

/// <summary>
/// ACME issuers against pebble with real HTTP-01 validation. A local responder stands where the ingress and the
/// solver pod would be: it serves a token only while the controller's solver Ingress routes that token's path,
/// with the key of the Challenge that owns it.
/// </summary>
public sealed class AcmeIssuanceTests(ApiServerFixture api, Pebble pebble) : IClassFixture<ApiServerFixture>, IClassFixture<Pebble>
{
    private static readonly TimeSpan IssueTimeout = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task AcmeIssuer_NewAccount_IsRegisteredWithAKeyKeptInItsSecret()
    {
        await using var controller = await StartControllerAsync();
        var ns = controller.Namespace;
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", pebble.DirectoryUrl.AbsoluteUri));

        var issuer = await WaitForAsync<Issuer>(api.Client, ns, "pebble", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "True", "ACMEAccountRegistered"), "registered");

        Assert.StartsWith($"https://127.0.0.1:{pebble.Port}/", issuer.Status.Acme.Uri, StringComparison.Ordinal);
        Assert.Equal("admin@example.com", issuer.Status.Acme.LastRegisteredEmail);
        var key = await api.Client.For<Secret>().GetAsync(ns, "pebble-account-key");
        Assert.Contains("EC PRIVATE KEY", key.Data["tls.key"].ToStringUtf8(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AcmeIssuer_ServerUnreachable_IsErrRegisterACMEAccountUntilTheServerIsFixed()
    {
        await using var controller = await StartControllerAsync();
        var ns = controller.Namespace;
        var nowhere = $"https://127.0.0.1:{FreePort.Get()}/dir";
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", nowhere));

        var issuer = await WaitForAsync<Issuer>(api.Client, ns, "pebble", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "False", "ErrRegisterACMEAccount"), "ErrRegisterACMEAccount");
        Assert.StartsWith("Failed to register ACME account: ", issuer.Status.Conditions.Single().Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", issuer.Status.Conditions.Single().Message, StringComparison.Ordinal);
        await WaitForEventAsync(api.Client, ns, "Issuer", "pebble", "ErrRegisterACMEAccount");

        issuer.Spec.Acme.Server = pebble.DirectoryUrl.AbsoluteUri;
        await api.Client.For<Issuer>().UpdateAsync(issuer);

        await WaitForAsync<Issuer>(api.Client, ns, "pebble", i => HasCondition(i.Status?.Conditions ?? [], "Ready", "True", "ACMEAccountRegistered"), "registered");
    }

    [SkippableFact]
    public async Task Certificate_AcmeIssuer_IsIssuedByPebbleAfterHttp01AndTheSolverIsRemoved()
    {
        await using var controller = await StartControllerAsync();
        var ns = controller.Namespace;
        await using var responder = await StartEdgeAsync(ns, failForPebble: () => false);
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", pebble.DirectoryUrl.AbsoluteUri));
        var host = $"{ns}.{Pebble.Domain}";
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "site", "pebble", host));

        await WaitForAsync<Certificate>(api.Client, ns, "site", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready", IssueTimeout);

        var chain = Chain(await api.Client.For<Secret>().GetAsync(ns, "site-tls"));
        Assert.Equal(host, chain[0].GetNameInfo(X509NameType.DnsName, false));
        Assert.Contains("Pebble Intermediate CA", chain[0].Issuer, StringComparison.Ordinal);
        Assert.True(chain.Count >= 2, "the intermediate comes with the leaf");
        Assert.True(responder.Requests >= 1, "pebble fetched the key authorization");
        var order = Assert.Single((await api.Client.For<Order>().ListAsync(new ListRequest { Namespace = ns })).Items);
        Assert.Equal("valid", order.Status.State);
        Assert.Equal(host, order.Status.Authorizations.Single().Identifier);
        await WaitForEventAsync(api.Client, ns, "Order", order.Metadata.Name, "Complete");
        var request = Assert.Single((await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns })).Items);
        Assert.True(HasCondition(request.Status.Conditions, "Ready", "True", "Issued"));

        // A finished order's challenges go, and with them the solver's pod, Service and Ingress.
        await Eventually.Returns(async () =>
        {
            var left = (await api.Client.For<Challenge>().ListAsync(new ListRequest { Namespace = ns })).Items.Count
                + (await api.Client.For<Pod>().ListAsync(new ListRequest { Namespace = ns })).Items.Count
                + (await api.Client.For<Service>().ListAsync(new ListRequest { Namespace = ns })).Items.Count
                + (await api.Client.For<Ingress>().ListAsync(new ListRequest { Namespace = ns })).Items.Count;
            return left == 0 ? true : throw new InvalidOperationException($"{left} challenge or solver objects left");
        }, WaitTimeout);
    }

    [SkippableFact]
    public async Task Certificate_ChallengeFailsAtTheServer_IsFailedWithTheReasonThenIssuedOnceReachable()
    {
        await using var controller = await StartControllerAsync();
        var ns = controller.Namespace;
        var broken = true;
        await using var responder = await StartEdgeAsync(ns, failForPebble: () => Volatile.Read(ref broken));
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", pebble.DirectoryUrl.AbsoluteUri));
        var host = $"{ns}.{Pebble.Domain}";
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "site", "pebble", host));

        var failed = await WaitForAsync<Certificate>(api.Client, ns, "site", c => HasCondition(c.Status?.Conditions ?? [], "Issuing", "False", "Failed"), "failed", IssueTimeout);
        var issuing = failed.Status.Conditions.Single(c => c.Type == "Issuing");
        Assert.StartsWith("The certificate request has failed to complete and will be retried: Failed to wait for order resource", issuing.Message, StringComparison.Ordinal);
        Assert.Contains("invalid", issuing.Message, StringComparison.Ordinal);
        Assert.True(HasCondition(failed.Status.Conditions, "Ready", "False", "DoesNotExist"));
        Assert.Equal(1, failed.Status.FailedIssuanceAttempts);
        await WaitForEventAsync(api.Client, ns, "Certificate", "site", "Failed");
        var orders = (await api.Client.For<Order>().ListAsync(new ListRequest { Namespace = ns })).Items;
        Assert.Contains(orders, o => o.Status?.State == "invalid" && o.Status.Reason.Contains("authorization error for " + host, StringComparison.Ordinal));

        Volatile.Write(ref broken, false);

        await WaitForAsync<Certificate>(api.Client, ns, "site", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready after the fix", IssueTimeout);
        var certificate = await api.Client.For<Certificate>().GetAsync(ns, "site");
        Assert.False(certificate.Status.HasFailedIssuanceAttempts);
        Assert.Null(certificate.Status.LastFailureTime);
    }

    [SkippableFact]
    public async Task Certificate_ControllerRestartedMidOrder_IsIssuedFromWhatTheApiServerHolds()
    {
        var first = await StartControllerAsync();
        var ns = first.Namespace;
        await using var responder = await StartEdgeAsync(ns, failForPebble: () => false);
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", pebble.DirectoryUrl.AbsoluteUri));
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "site", "pebble", $"{ns}.{Pebble.Domain}"));
        await Eventually.Returns(async () =>
        {
            var orders = (await api.Client.For<Order>().ListAsync(new ListRequest { Namespace = ns })).Items;
            return orders.Any(o => o.Status?.Url.Length > 0) ? true : throw new InvalidOperationException("no order placed yet");
        }, WaitTimeout);

        // Stopped with the order placed at the server: nothing the next process needs was only in this one.
        await first.DisposeAsync();
        await using var second = await StartControllerAsync(restartOf: first);

        await WaitForAsync<Certificate>(api.Client, ns, "site", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready", IssueTimeout);
        var orders = (await api.Client.For<Order>().ListAsync(new ListRequest { Namespace = ns })).Items;
        var requests = (await api.Client.For<CertificateRequest>().ListAsync(new ListRequest { Namespace = ns })).Items;
        Assert.True(orders.Count == 1 && requests.Count == 1,
            $"one order and one request expected; orders: {string.Join("; ", orders.Select(o => $"{o.Metadata.Name} {o.Status?.State} {o.Status?.Reason}"))}"
            + $"; requests: {string.Join("; ", requests.Select(r => $"{r.Metadata.Name} {string.Join(",", r.Status?.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}: {c.Message}") ?? [])}"))}"
            + $"; the certificate's events: {string.Join("; ", (await EventsAsync(api.Client, ns, "Certificate", "site")).Select(e => $"{e.Reason} x{e.Count}: {e.Message}"))}");
    }

    /// <summary>
    /// What a process that died after answering a challenge, or a status write lost to a conflict, leaves behind: the
    /// Challenge says pending while the server has it processing or valid. The controller asks the server before
    /// answering, since a second answer is refused and would end the challenge as errored and remove its solver.
    /// </summary>
    [SkippableFact]
    public async Task Challenge_AlreadyAnsweredAtTheServer_IsNotAnsweredTwice()
    {
        await using var controller = await StartControllerAsync();
        var ns = controller.Namespace;
        var selfCheckRefused = true;
        await using var responder = await Http01Responder.StartAsync(pebble.ValidationPort, (token, fromPebble) =>
            !fromPebble && Volatile.Read(ref selfCheckRefused) ? Task.FromResult<string?>(null) : RoutedKeyAsync(ns, token));
        await api.Client.For<Issuer>().CreateAsync(AcmeIssuer(ns, "pebble", pebble.DirectoryUrl.AbsoluteUri));
        await api.Client.For<Certificate>().CreateAsync(Certificate(ns, "site", "pebble", $"{ns}.{Pebble.Domain}"));
        var waiting = await Eventually.Returns(async () =>
        {
            var challenges = (await api.Client.For<Challenge>().ListAsync(new ListRequest { Namespace = ns })).Items;
            return challenges.FirstOrDefault(c => c.Status is { State: "pending", Presented: true } && c.Status.Reason.StartsWith("Waiting for HTTP-01 challenge propagation", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("no challenge waiting for its self check yet");
        }, WaitTimeout);

        // The answer the controller has not recorded, given with the issuer's account key as the earlier process gave it.
        using var http = pebble.CreateHttpClient();
        var accountPem = (await api.Client.For<Secret>().GetAsync(ns, "pebble-account-key")).Data["tls.key"].ToStringUtf8();
        using var accountKey = Acme.AccountKey.FromPem(accountPem);
        var earlier = new Acme.AcmeClient(http, pebble.DirectoryUrl, accountKey);
        using var cts = new CancellationTokenSource(WaitTimeout);
        await earlier.AcceptChallengeAsync(new Uri(waiting.Spec.Url), cts.Token);
        await Eventually.Returns(async () => (await earlier.GetChallengeAsync(new Uri(waiting.Spec.Url), cts.Token)).Status is "valid" ? true
            : throw new InvalidOperationException("pebble has not validated the challenge yet"), WaitTimeout);
        Volatile.Write(ref selfCheckRefused, false);

        await WaitForAsync<Certificate>(api.Client, ns, "site", c => HasCondition(c.Status?.Conditions ?? [], "Ready", "True"), "Ready", IssueTimeout);
        var warnings = (await EventsAsync(api.Client, ns, "Challenge", waiting.Metadata.Name)).Where(e => e.Type == "Warning").Select(e => $"{e.Reason}: {e.Message}").ToList();
        Assert.True(warnings.Count == 0, "the challenge was answered twice: " + string.Join("; ", warnings));
        var order = Assert.Single((await api.Client.For<Order>().ListAsync(new ListRequest { Namespace = ns })).Items);
        Assert.Equal("valid", order.Status.State);
    }

    private Task<ControllerHost> StartControllerAsync(ControllerHost? restartOf = null) => ControllerHost.StartAsync(api, new Dictionary<string, string?>
    {
        ["CertificateController:Nameserver"] = $"127.0.0.1:{pebble.DnsPort}",
        ["CertificateController:Http01SelfCheckPort"] = pebble.ValidationPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, restartOf);

    private Issuer AcmeIssuer(string ns, string name, string server)
    {
        var issuer = new Issuer
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new IssuerSpec
            {
                Acme = new ACMEIssuer
                {
                    Server = server,
                    Email = "admin@example.com",
                    CaBundle = ByteString.CopyFromUtf8(pebble.CaBundlePem),
                    PrivateKeySecretRef = new Api.CertManager.Meta.V1.SecretKeySelector { Name = name + "-account-key" },
                },
            },
        };
        issuer.Spec.Acme.Solvers.Add(new ACMEChallengeSolver
        {
            Http01 = new ACMEChallengeSolverHTTP01 { Ingress = new ACMEChallengeSolverHTTP01Ingress { Class = "nginx" } },
        });
        return issuer;
    }

    /// <summary>The stand-in edge: a token is served while a solver Ingress routes its path; pebble may be refused.</summary>
    private Task<Http01Responder> StartEdgeAsync(string ns, Func<bool> failForPebble) =>
        Http01Responder.StartAsync(pebble.ValidationPort, (token, fromPebble) => fromPebble && failForPebble() ? Task.FromResult<string?>(null) : RoutedKeyAsync(ns, token));

    /// <summary>The key authorization of the Challenge with the token, while a solver Ingress routes the token's path.</summary>
    private async Task<string?> RoutedKeyAsync(string ns, string token)
    {
        var ingresses = await api.Client.For<Ingress>().ListAsync(new ListRequest { Namespace = ns, LabelSelector = "acme.cert-manager.io/http01-solver=true" });
        var routed = ingresses.Items.Any(i => i.Spec.Rules.Any(r => r.Http.Paths.Any(p => p.Path == "/.well-known/acme-challenge/" + token)));
        var challenges = await api.Client.For<Challenge>().ListAsync(new ListRequest { Namespace = ns });
        return routed ? challenges.Items.FirstOrDefault(c => c.Spec.Token == token)?.Spec.Key : null;
    }
}
