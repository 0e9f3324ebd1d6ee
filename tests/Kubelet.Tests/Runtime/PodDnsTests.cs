using System.Net;
using System.Net.Sockets;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class PodDnsTests
{
    [Fact]
    public void ToResolvConf_ClusterFirst_SearchesTheNamespaceFirstWithNdots5()
    {
        var text = PodDnsConfig.ClusterFirst("127.0.0.10", "team-a", "cluster.local").ToResolvConf();

        Assert.Equal("nameserver 127.0.0.10\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n", text);
    }

    [SkippableFact]
    public async Task StartContainer_NslookupShortServiceName_ResolvesThroughClusterDnsAddress()
    {
        var dnsAddress = IPAddress.Parse("127.0.0.10");
        Tool.RequireAll("dnsmasq", "nslookup");
        Tool.RequireRoot("the stand-in cluster DNS listens on port 53, which pods' resolv.conf cannot move");
        await using var fixture = new RuntimeFixture();
        await fixture.Runtime.InitializeAsync(CancellationToken.None);
        Skip.If(fixture.Runtime.Isolation == IsolationMode.None, "no mount namespace here, so a pod's resolv.conf cannot be bound over the node's");
        Skip.IfNot(PortFree(dnsAddress, 53), "127.0.0.10:53 is taken on this machine (a cluster DNS may be running), so the test DNS cannot listen there");

        // dnsmasq stands in for the cluster DNS at the address pods are configured with.
        using var dns = await Dnsmasq.StartAsync(dnsAddress, 53, "--address=/ex-svc.default.svc.cluster.local/127.96.0.20");
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
}
