using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KubeMesh.Kubelet.Runtime;
using Xunit.Abstractions;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class PodDnsTests(ITestOutputHelper output)
{
    [Fact]
    public void ToResolvConf_ClusterFirst_SearchesTheNamespaceFirstWithNdots5()
    {
        var text = PodDnsConfig.ClusterFirst("127.0.0.10", "team-a", "cluster.local").ToResolvConf();

        Assert.Equal("nameserver 127.0.0.10\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n", text);
    }

    [Fact]
    public async Task StartContainer_NslookupShortServiceName_ResolvesThroughClusterDnsAddress()
    {
        await using var fixture = new RuntimeFixture();
        await fixture.Runtime.InitializeAsync(CancellationToken.None);
        if (fixture.Runtime.Isolation == IsolationMode.None)
        {
            output.WriteLine("Skipped: no mount namespace here, so a pod's resolv.conf cannot be bound over the node's.");
            return;
        }

        if (!PortFree(IPAddress.Parse("127.0.0.10"), 53))
        {
            output.WriteLine("Skipped: 127.0.0.10:53 is taken on this machine (a cluster DNS may be running), so the test DNS cannot listen there.");
            return;
        }

        // dnsmasq stands in for the cluster DNS at the address pods are configured with.
        using var dns = Process.Start(new ProcessStartInfo("/usr/sbin/dnsmasq")
        {
            ArgumentList =
            {
                "--no-resolv", "--no-hosts", "--keep-in-foreground", "--bind-interfaces", "--listen-address=127.0.0.10",
                "--port=53", "--pid-file", "--user=root", "--address=/ex-svc.default.svc.cluster.local/127.96.0.20",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            await WaitForTcpAsync(IPAddress.Parse("127.0.0.10"), 53);
            var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("lookup", "busybox")
            {
                Command = ["sh", "-c", "cat /etc/resolv.conf; nslookup -type=A ex-svc"],
            });
            var status = await fixture.WaitAsync(handle);
            var log = await fixture.LogAsync(handle);

            Assert.True(status.ExitCode == 0, log);
            Assert.Contains("nameserver 127.0.0.10", log);
            Assert.Contains("search default.svc.cluster.local svc.cluster.local cluster.local", log);
            Assert.Contains("ex-svc.default.svc.cluster.local", log);
            Assert.Contains("127.96.0.20", log);
        }
        finally
        {
            dns.Kill(entireProcessTree: true);
            dns.WaitForExit(10_000);
        }
    }

    private static bool PortFree(IPAddress address, int port)
    {
        try
        {
            using var udp = new UdpClient(new IPEndPoint(address, port));
            using var tcp = new TcpListener(address, port);
            tcp.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitForTcpAsync(IPAddress address, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
