using System.Globalization;
using System.Net;

namespace KubeMesh.Testing;

/// <summary>
/// dnsmasq as a local resolver that answers the names it is given (--address=/name/ip) and asks nobody else, so
/// DNS is tested without the machine's resolver or any outside address. Where dnsmasq is not installed, the tests
/// that start it are skipped.
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

    /// <param name="address">A loopback address to listen on.</param>
    /// <param name="port">A fixed port (53 for pods, whose resolv.conf cannot name one); a free one when null.</param>
    /// <param name="extraArgs">More options, e.g. --address=/name/ip records.</param>
    public static async Task<Dnsmasq> StartAsync(IPAddress address, int? port = null, params string[] extraArgs)
    {
        var executable = Tool.Require("dnsmasq");
        var chosen = port ?? FreePort.GetForTcpAndUdp(address);
        string[] args =
        [
            "--no-resolv", "--no-hosts", "--keep-in-foreground", "--bind-interfaces",
            $"--listen-address={address}", $"--port={chosen.ToString(CultureInfo.InvariantCulture)}",
            "--address=/external.test/127.1.2.3", "--pid-file", "--user=root", .. extraArgs,
        ];
        var process = ChildProcess.Start(executable, args);
        try
        {
            await FreePort.WaitUntilListeningAsync(address, chosen, TimeSpan.FromSeconds(10));
        }
        catch (Exception ex)
        {
            var output = process.Output;
            process.Dispose();
            throw new InvalidOperationException($"dnsmasq did not start: {output}", ex);
        }

        return new Dnsmasq(process, new IPEndPoint(address, chosen));
    }

    public void Dispose() => _process.Dispose();
}
