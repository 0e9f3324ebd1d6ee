using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>
/// Debian's pebble, the RFC 8555 test server, on free 127.0.0.1 ports, validating HTTP-01 for real: it resolves
/// names through a dnsmasq that answers every name under <see cref="Domain"/> with 127.0.0.1, and fetches the
/// challenge from <see cref="ValidationPort"/> there. Its listener's certificate comes from a CA made here
/// (<see cref="CaBundlePem"/>). Pebble rejects a share of good nonces (PEBBLE_WFE_NONCEREJECT) so clients must retry.
/// Where pebble or dnsmasq is not installed, the tests using it are skipped.
/// </summary>
public sealed class Pebble : IAsyncLifetime
{
    public const string Domain = "acme.test";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("kubemesh-pebble-").FullName;
    private ChildProcess? _pebble;
    private Dnsmasq? _dnsmasq;

    public int Port { get; } = FreePort.Get();

    public int ManagementPort { get; } = FreePort.Get();

    /// <summary>Where pebble sends HTTP-01 validation requests (on the names' address, 127.0.0.1).</summary>
    public int ValidationPort { get; } = FreePort.Get();

    public int DnsPort { get; private set; }

    public Uri DirectoryUrl => new($"https://127.0.0.1:{Port}/dir");

    public string CaBundlePem { get; private set; } = "";

    public string Output => _pebble?.Output ?? "";

    public async Task InitializeAsync()
    {
        using var ca = TestCertificates.CreateCa("KubeMesh test pebble listener CA");
        using var server = TestCertificates.CreateServer(ca);
        CaBundlePem = ca.ExportCertificatePem();
        var certPath = Path.Combine(_directory, "cert.pem");
        var keyPath = Path.Combine(_directory, "key.pem");
        await File.WriteAllTextAsync(certPath, server.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, TestCertificates.KeyPem(server));
        var config = Path.Combine(_directory, "pebble-config.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{Port}",
                ["managementListenAddress"] = $"127.0.0.1:{ManagementPort}",
                ["certificate"] = certPath,
                ["privateKey"] = keyPath,
                ["httpPort"] = ValidationPort,
                ["tlsPort"] = FreePort.Get(),
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
            },
        }.ToJsonString());

        var pebble = Tool.Require("pebble");
        _dnsmasq = await Dnsmasq.StartAsync(IPAddress.Loopback, extraArgs: $"--address=/{Domain}/127.0.0.1");
        DnsPort = _dnsmasq.Endpoint.Port;

        _pebble = StartPebble(pebble, config);
        try
        {
            await FreePort.WaitUntilListeningAsync(IPAddress.Loopback, Port, StartTimeout);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"pebble did not listen on {Port}: {_pebble.Output}", e);
        }
    }

    /// <summary>An HttpClient that trusts pebble's listener CA only.</summary>
    public HttpClient CreateHttpClient()
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPem(CaBundlePem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trusted);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The root of the chains pebble issues (regenerated on every start), from its management interface.</summary>
    public async Task<X509Certificate2> GetIssuingRootAsync()
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0");
        return X509Certificate2.CreateFromPem(pem);
    }

    public Task DisposeAsync()
    {
        _pebble?.Dispose();
        _dnsmasq?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private ChildProcess StartPebble(string executable, string config)
    {
        // No PEBBLE_VA_ALWAYS_VALID: every challenge is fetched over HTTP. No sleeps before validating, and 20% of
        // good nonces rejected so the client's badNonce retry runs in every test.
        return ChildProcess.Start("/usr/bin/env", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=20", "PEBBLE_AUTHZREUSE=0",
            executable, "-config", config, "-dnsserver", $"127.0.0.1:{DnsPort.ToString(CultureInfo.InvariantCulture)}");
    }
}
