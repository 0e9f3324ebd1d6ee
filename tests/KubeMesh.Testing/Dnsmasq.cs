using System.Globalization;
using System.Net;
using KubeMesh.Testing;

namespace KubeMesh.Dns.Tests;

/// <summary>
/// dnsmasq as a local upstream resolver: it answers external.test itself and asks nobody else, so
/// forwarding is tested without the machine's resolver or any outside address.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    private readonly ChildProcess _process;

    private Dnsmasq(ChildProcess process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; }

    public static async Task<Dnsmasq> StartAsync(IPAddress address, params string[] extraArgs)
    {
        var port = TestPorts.NextForTcpAndUdp(address);
        string[] args =
        [
            "--no-resolv", "--no-hosts", "--keep-in-foreground", "--bind-interfaces",
            $"--listen-address={address}", $"--port={port.ToString(CultureInfo.InvariantCulture)}",
            "--address=/external.test/127.1.2.3", "--pid-file", "--user=root", .. extraArgs,
        ];
        var process = ChildProcess.Start(FindExecutable(), args);
        try
        {
            await TestPorts.WaitForListenerAsync(address, port, TimeSpan.FromSeconds(10));
        }
        catch (Exception ex)
        {
            var output = process.Output;
            process.Dispose();
            throw new InvalidOperationException($"dnsmasq did not start: {output}", ex);
        }

        return new Dnsmasq(process, new IPEndPoint(address, port));
    }

    public static string FindExecutable() =>
        new[] { "/usr/sbin/dnsmasq", "/usr/bin/dnsmasq" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("dnsmasq is not installed (Debian package dnsmasq-base)");

    public void Dispose() => _process.Dispose();
}
