using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Tests.Infrastructure;

namespace KubeMesh.CertificateController.Tests;

/// <summary>The RFC 8555 client against pebble, which validates every HTTP-01 challenge for real.</summary>
public sealed class AcmeClientTests(Pebble pebble) : IClassFixture<Pebble>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task RegisterAccount_SameKeyTwice_FindsTheSameAccountAndUpdatesItsContact()
    {
        using var http = pebble.CreateHttpClient();
        using var key = AccountKey.Generate();
        using var cts = new CancellationTokenSource(Timeout);

        var created = await new AcmeClient(http, pebble.DirectoryUrl, key).RegisterAccountAsync("first@example.com", cts.Token);
        var found = await new AcmeClient(http, pebble.DirectoryUrl, key).RegisterAccountAsync("second@example.com", cts.Token);

        Assert.Equal("valid", created.Status);
        Assert.Equal(["mailto:first@example.com"], created.Contact);
        Assert.Equal(created.Url, found.Url);
        Assert.Equal(["mailto:second@example.com"], found.Contact);
    }

    [SkippableFact]
    public async Task Order_Http01Validated_DownloadsAChainForTheNameToPebblesRoot()
    {
        using var http = pebble.CreateHttpClient();
        using var accountKey = AccountKey.Generate();
        await using var responder = await Http01Responder.StartAsync(pebble.ValidationPort);
        using var cts = new CancellationTokenSource(Timeout);
        var client = new AcmeClient(http, pebble.DirectoryUrl, accountKey);
        await client.RegisterAccountAsync("admin@example.com", cts.Token);
        var host = $"web-{Guid.NewGuid():N}"[..12] + "." + Pebble.Domain;

        var order = await client.CreateOrderAsync([new AcmeIdentifier("dns", host)], cts.Token);
        Assert.Equal("pending", order.Status);
        var authorization = await client.GetAuthorizationAsync(Assert.Single(order.Authorizations), cts.Token);
        Assert.Equal(host, authorization.Identifier.Value);
        var challenge = authorization.Challenges.Single(c => c.Type == AcmeChallenge.Http01);
        responder.KeyAuthorizations[challenge.Token] = accountKey.KeyAuthorization(challenge.Token);
        await client.AcceptChallengeAsync(challenge.Url, cts.Token);
        order = await PollAsync(() => client.GetOrderAsync(order.Url, cts.Token), o => o.Status != "pending", cts.Token);
        Assert.Equal("ready", order.Status);

        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={host}", certificateKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        csr.CertificateExtensions.Add(names.Build());
        order = await client.FinalizeOrderAsync(order, csr.CreateSigningRequest(), cts.Token);
        order = await PollAsync(() => client.GetOrderAsync(order.Url, cts.Token), o => o.Status is "valid" or "invalid", cts.Token);
        Assert.Equal("valid", order.Status);
        var chain = await client.DownloadCertificateAsync(order.Certificate!, cts.Token);

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(chain.Pem);
        Assert.True(certificates.Count >= 2, "leaf and intermediate");
        var leaf = certificates[0];
        Assert.Equal(host, leaf.GetNameInfo(X509NameType.DnsName, false));
        Assert.Contains("Pebble Intermediate CA", leaf.Issuer, StringComparison.Ordinal);
        using var verify = new X509Chain();
        verify.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        verify.ChainPolicy.CustomTrustStore.Add(await pebble.GetIssuingRootAsync());
        verify.ChainPolicy.ExtraStore.AddRange(certificates);
        Assert.True(verify.Build(leaf), string.Join("; ", verify.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(responder.Requests >= 1, "pebble fetched the key authorization over HTTP");
    }

    [SkippableFact]
    public async Task Challenge_WrongKeyAuthorization_IsInvalidWithPebblesProblem()
    {
        using var http = pebble.CreateHttpClient();
        using var accountKey = AccountKey.Generate();
        await using var responder = await Http01Responder.StartAsync(pebble.ValidationPort);
        using var cts = new CancellationTokenSource(Timeout);
        var client = new AcmeClient(http, pebble.DirectoryUrl, accountKey);
        await client.RegisterAccountAsync(null, cts.Token);
        var order = await client.CreateOrderAsync([new AcmeIdentifier("dns", "wrong." + Pebble.Domain)], cts.Token);
        var authorization = await client.GetAuthorizationAsync(order.Authorizations[0], cts.Token);
        var challenge = authorization.Challenges.Single(c => c.Type == AcmeChallenge.Http01);
        responder.KeyAuthorizations[challenge.Token] = challenge.Token + ".not-this-account";

        await client.AcceptChallengeAsync(challenge.Url, cts.Token);
        challenge = await PollAsync(() => client.GetChallengeAsync(challenge.Url, cts.Token), c => c.Status is "valid" or "invalid", cts.Token);

        Assert.Equal("invalid", challenge.Status);
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", challenge.Error?.Type);
    }

    [SkippableFact]
    public async Task Requests_ServerRejectsNonces_AreRetriedWithFreshOnes()
    {
        using var http = pebble.CreateHttpClient();
        using var accountKey = AccountKey.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var client = new AcmeClient(http, pebble.DirectoryUrl, accountKey);
        await client.RegisterAccountAsync(null, cts.Token);

        // Pebble rejects 20% of good nonces: forty signed requests fail unless badNonce is retried.
        for (var i = 0; i < 40; i++)
        {
            await client.CreateOrderAsync([new AcmeIdentifier("dns", $"n{i}." + Pebble.Domain)], cts.Token);
        }
    }

    [SkippableFact]
    public async Task Directory_ServerNotListening_FailsWithTheConnectionError()
    {
        using var http = pebble.CreateHttpClient();
        using var accountKey = AccountKey.Generate();
        var client = new AcmeClient(http, new Uri($"https://127.0.0.1:{FreePort.Get()}/dir"), accountKey);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.RegisterAccountAsync(null, CancellationToken.None));
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> get, Func<T, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var value = await get();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
