using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The notes' cert-manager flow on the whole cluster: a ClusterIssuer talking ACME to pebble and an ingress annotated
/// for it give a Certificate that `kmctl get certificate` shows READY True, and curl over HTTPS through the ingress
/// receives a certificate for the host issued by pebble's CA. pebble validates HTTP-01 for real: it resolves the host
/// through the cluster DNS (the ingress's address) and fetches the key authorization from the solver pod through the
/// ingress. The same without pebble: a CA of the namespace's own, and a renewal served by the ingress.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CertificatesEndToEndTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [SkippableFact]
    public async Task ClusterIssuerAndAnnotatedIngress_CertificateReadyAndServedFromPebblesCa()
    {
        Tool.RequireAll("pebble", "curl");
        await using var ns = await TestNamespace.CreateAsync(cluster, "certs");
        await ApplyPebbleClusterIssuerAsync(ns);

        await ns.ApplyAsync("certificates/ingress-cluster-issuer.yaml");

        var certificates = await Eventually.Found(async () =>
        {
            var output = await ns.KmctlAsync("get", "certificate");
            return Row(output) is { } row && row.StartsWith("shop-tls", StringComparison.Ordinal) && row.Contains(" True ", StringComparison.Ordinal) ? output : null;
        }, Timeout, "kmctl get certificate shows shop-tls READY True");
        Assert.Matches(@"^NAME\s+READY\s+SECRET\s+AGE\n", certificates);
        Assert.Matches(@"\nshop-tls\s+True\s+shop-tls\s+\d+s\n", certificates);

        var root = await PebbleRootAsync();
        var curl = await Eventually.Found(async () =>
        {
            var (code, output) = await CurlAsync("shop.example.com", root);
            return code == 0 && output.Contains("shop over TLS", StringComparison.Ordinal) ? output : null;
        }, Timeout, "curl over HTTPS through the ingress verifies the certificate against pebble's root");
        Assert.Contains("subject: CN=shop.example.com", curl, StringComparison.Ordinal);
        Assert.Matches(@"issuer: CN=Pebble Intermediate CA [0-9a-f]+", curl);
        Assert.Contains("SSL certificate verify ok", curl, StringComparison.Ordinal);

        var describe = await ns.KmctlAsync("describe", "certificate", "shop-tls");
        Assert.Contains("The certificate has been successfully issued", describe, StringComparison.Ordinal);
        var owner = Assert.Single((await cluster.Client.For<Certificate>().GetAsync(ns.Name, "shop-tls")).Metadata.OwnerReferences);
        Assert.Equal(("Ingress", "shop"), (owner.Kind, owner.Name));
        Assert.Matches(@"\n\S+\s+valid\s+\d+s", await ns.KmctlAsync("get", "order"));
        var requests = await ns.KmctlAsync("get", "certificaterequest");
        Assert.Matches(@"\nshop-tls-\S+\s+True\s+True\s+letsencrypt\s+system:serviceaccount:cert-manager:cert-manager\s", requests);

        // The solver's pod, Service and Ingress were made in the namespace and are gone again.
        await Eventually.Found(async () =>
        {
            var left = (await cluster.Client.For<Pod>().ListAsync(new() { Namespace = ns.Name, LabelSelector = "acme.cert-manager.io/http01-solver=true" })).Items.Count
                + (await cluster.Client.For<Ingress>().ListAsync(new() { Namespace = ns.Name, LabelSelector = "acme.cert-manager.io/http01-solver=true" })).Items.Count;
            return left == 0 ? "gone" : null;
        }, Timeout, "the HTTP-01 solver's pod and ingress are removed");
    }

    [Fact]
    public async Task CaIssuerAndAnnotatedIngress_IssuedWithoutPebbleAndRenewedWhileServed()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "ca");
        await ns.ApplyAsync("certificates/issuer-ca.yaml");
        await Eventually.Found(async () => (await cluster.Client.For<Issuer>().GetAsync(ns.Name, "internal-ca")).Status?.Conditions.FirstOrDefault(c => c is { Type: "Ready", Status: "True" }),
            Timeout, "the CA issuer is ready once its CA certificate is issued");
        var certificates = cluster.Client.For<Certificate>();
        var first = await Eventually.Found(async () =>
        {
            var certificate = await certificates.GetAsync(ns.Name, "intranet-tls");
            return certificate.Status?.Revision == 1 && certificate.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") ? certificate : null;
        }, Timeout, "the ingress's certificate is issued by the CA issuer");

        var ca = X509Certificate2.CreateFromPem((await cluster.Client.For<Secret>().GetAsync(ns.Name, "internal-ca")).Data["tls.crt"].ToStringUtf8());
        var served = await ServedAsync("intranet.example.com", ca, s => s is not null);
        Assert.Equal("CN=KubeMesh Internal CA", served.Issuer);

        // A short lifetime through the ingress's annotations (cert-manager's minimum duration and nearly all of it as
        // renewBefore): renewed five seconds in, and the ingress serves the new certificate.
        var ingresses = cluster.Client.For<Ingress>();
        var ingress = await ingresses.GetAsync(ns.Name, "intranet");
        ingress.Metadata.Annotations["cert-manager.io/duration"] = "1h";
        ingress.Metadata.Annotations["cert-manager.io/renew-before"] = "59m55s";
        await ingresses.UpdateAsync(ingress);
        var renewed = await Eventually.Found(async () =>
        {
            var certificate = await certificates.GetAsync(ns.Name, "intranet-tls");
            return certificate.Status?.Revision >= 3 && certificate.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") ? certificate : null;
        }, Timeout, "the one-hour certificate is issued and then renewed at its renewal time");
        var lifetime = renewed.Status.NotAfter.ToDateTimeOffset() - renewed.Status.NotBefore.ToDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(1), lifetime);
        var secret = await cluster.Client.For<Secret>().GetAsync(ns.Name, "intranet-tls");
        var current = X509Certificate2.CreateFromPem(secret.Data["tls.crt"].ToStringUtf8());
        var servedAfter = await ServedAsync("intranet.example.com", ca, s => s?.SerialNumber == current.SerialNumber);
        Assert.NotEqual(served.SerialNumber, servedAfter.SerialNumber);
        Assert.Equal(TimeSpan.FromDays(90), first.Status.NotAfter.ToDateTimeOffset() - first.Status.NotBefore.ToDateTimeOffset());
        var describe = await ns.KmctlAsync("describe", "certificate", "intranet-tls");
        Assert.Contains("Renewing certificate as renewal was scheduled at", describe, StringComparison.Ordinal);
        Assert.Matches(@"\nintranet-tls\s+True\s+intranet-tls\s", await ns.KmctlAsync("get", "certs"));
        Assert.Matches(@"\ninternal-ca\s+True\s", await ns.KmctlAsync("get", "iss"));
    }

    [SkippableFact]
    public async Task CertificateControllerKilledMidIssuance_ResumesFromTheApiServerWithOneOrderAndNothingLeft()
    {
        Tool.Require("pebble");
        await using var ns = await TestNamespace.CreateAsync(cluster, "certkill");
        await ApplyPebbleClusterIssuerAsync(ns);
        await ns.ApplyAsync(await ns.EditedManifestAsync("certificates/ingress-cluster-issuer.yaml", ("shop", "resume")));

        // Killed once the order is placed at pebble and its challenge made, while the solver pod is still starting.
        await Eventually.Found(async () => (await cluster.Client.For<Challenge>().ListAsync(new() { Namespace = ns.Name })).Items.FirstOrDefault(),
            Timeout, "the order's challenge is created");
        cluster.KillCertificateController();
        var atKill = await cluster.Client.For<Certificate>().GetAsync(ns.Name, "resume-tls");
        Assert.False(IsReady(atKill), "the certificate was issued before the controller was killed");
        using (var cts = new CancellationTokenSource(Timeout))
        {
            await cluster.StartResourceAsync("certificate-controller", cts.Token);
        }

        await Eventually.Found(async () => await cluster.Client.For<Certificate>().GetAsync(ns.Name, "resume-tls") is { } c && IsReady(c) ? c : null,
            Timeout, "the restarted controller finishes the issuance");
        var orders = (await cluster.Client.For<Order>().ListAsync(new() { Namespace = ns.Name })).Items;
        var requests = (await cluster.Client.For<KubeMesh.Api.CertManager.V1.CertificateRequest>().ListAsync(new() { Namespace = ns.Name })).Items;
        Assert.True(orders.Count == 1 && requests.Count == 1,
            $"one order and one request expected; orders: {string.Join("; ", orders.Select(o => $"{o.Metadata.Name} {o.Status?.State} {o.Status?.Reason}"))}"
            + $"; requests: {string.Join("; ", requests.Select(r => $"{r.Metadata.Name} {string.Join(",", r.Status?.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}: {c.Message}") ?? [])}"))}");
        Assert.Equal("valid", orders[0].Status.State);
        await Eventually.Until(async () => (await cluster.Client.For<Challenge>().ListAsync(new() { Namespace = ns.Name })).Items.Count == 0
            && (await cluster.Client.For<Secret>().ListAsync(new() { Namespace = ns.Name, LabelSelector = "cert-manager.io/next-private-key=true" })).Items.Count == 0,
            Timeout, "the challenge and the temporary private key are removed");
        var root = await PebbleRootAsync();
        var curl = await Eventually.Found(async () => await CurlAsync("resume.example.com", root) is { ExitCode: 0 } result ? result.Output : null,
            Timeout, "curl verifies the served certificate against pebble's root");
        Assert.Contains("subject: CN=resume.example.com", curl, StringComparison.Ordinal);
    }

    private static bool IsReady(Certificate certificate) =>
        certificate.Status?.Conditions.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    /// <summary>The notes' ClusterIssuer pointed at this cluster's pebble and trusting its listener's CA, applied and Ready.</summary>
    private async Task ApplyPebbleClusterIssuerAsync(TestNamespace ns)
    {
        var caBundle = Convert.ToBase64String(await File.ReadAllBytesAsync(cluster.PebbleListenerCa));
        var issuer = await ns.EditedManifestAsync("certificates/clusterissuer-pebble.yaml",
            ("https://127.0.0.1:14000/dir", $"https://127.0.0.1:{cluster.PebblePort}/dir"),
            ("skipTLSVerify: true", "caBundle: " + caBundle));
        await ns.ApplyAsync(issuer);
        await Eventually.Found(async () => Row(await ns.KmctlAsync("get", "clusterissuer", "letsencrypt")) is { } row && row.Contains(" True ", StringComparison.Ordinal) ? row : null,
            Timeout, "kmctl get clusterissuer letsencrypt shows READY True");
    }

    /// <summary>The first data row of a kmctl table.</summary>
    private static string? Row(string table) => table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault();

    /// <summary>The root pebble issues under (made anew at each start), from its management interface.</summary>
    private async Task<string> PebbleRootAsync()
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPem(await File.ReadAllTextAsync(cluster.PebbleListenerCa));
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trusted);
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var root = Path.Combine(cluster.DataDirectory, "pebble", "issuing-root.pem");
        await File.WriteAllTextAsync(root, await http.GetStringAsync($"https://127.0.0.1:{cluster.PebbleManagementPort}/roots/0"));
        return root;
    }

    /// <summary>curl -v over HTTPS to the ingress, the host resolved to 127.0.0.1, trusting only the given root.</summary>
    private async Task<ProcessResult> CurlAsync(string host, string caFile)
    {
        var port = cluster.IngressHttpsPort.ToString(CultureInfo.InvariantCulture);
        return await ChildProcess.RunAsync(TimeSpan.FromSeconds(30), Tool.Require("curl"), "-v", "--silent", "--show-error", "--max-time", "10",
            "--cacert", caFile, "--resolve", $"{host}:{port}:127.0.0.1", $"https://{host}:{port}/");
    }

    /// <summary>The certificate the ingress serves for a host by SNI, checked against the CA, once it is the one wanted.</summary>
    private async Task<X509Certificate2> ServedAsync(string host, X509Certificate2 ca, Func<X509Certificate2?, bool> wanted)
    {
        return await Eventually.Found(async () =>
        {
            try
            {
                return await ServedOnceAsync(host, ca, wanted);
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, Timeout, $"the ingress serves {host} a certificate from the CA");
    }

    private async Task<X509Certificate2?> ServedOnceAsync(string host, X509Certificate2 ca, Func<X509Certificate2?, bool> wanted)
    {
        X509Certificate2? served = null;
        var verified = false;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, cluster.IngressHttpsPort, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            served = certificate is null ? null : new X509Certificate2(certificate);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            verified = served is not null && chain.Build(served) && served.MatchesHostname(host);
            return true;
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{host}:{cluster.IngressHttpsPort}/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await http.SendAsync(request);
        return verified && response.IsSuccessStatusCode && wanted(served) ? served : null;
    }
}
