using System.Diagnostics;
using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Dns.Tests;

/// <summary>The cluster DNS following Services and Endpoints written through the real api-server, queried with DnsClient and dig.</summary>
public sealed class ClusterDnsTests(DnsTestCluster cluster) : IClassFixture<DnsTestCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task Query_ClusterIpService_AnswersItsClusterIpWithShortTtl()
    {
        var service = await CreateServiceAsync("ex-svc", clusterIp: null, ("http", 8080));

        var answer = await WaitForAnswerAsync("ex-svc.default.svc.cluster.local", QueryType.A);

        var a = Assert.Single(answer.Answers.ARecords());
        Assert.Equal(service.Spec.ClusterIp, a.Address.ToString());
        Assert.Equal(5, a.InitialTimeToLive);
        Assert.True(answer.Header.HasAuthorityAnswer);
    }

    [SkippableFact]
    public async Task ServiceWritten_ZoneRebuildIsInTheTraceOfTheChange()
    {
        using var spans = new SpanRecorder();
        ActivityTraceId traceId;
        using (var change = spans.StartChange("apply service/traced-svc"))
        {
            traceId = change.TraceId;
            await CreateServiceAsync("traced-svc", clusterIp: null, ("http", 8080));
        }

        await WaitForAnswerAsync("traced-svc.default.svc.cluster.local", QueryType.A);

        // The rebuild that served the change is its child, or links it when one rebuild served several changes.
        await Eventually.Until(
            () => Task.FromResult(spans.Served(traceId, RebuildReconciler.ActivitySource, "sync dns")),
            Timeout,
            "the zone rebuild is in the trace of the Service's write");
    }

    [SkippableFact]
    public async Task Query_NamedPortOfClusterIpService_AnswersSrvToTheServiceName()
    {
        await CreateServiceAsync("srv-svc", clusterIp: null, ("http", 8080));

        var answer = await WaitForAnswerAsync("_http._tcp.srv-svc.default.svc.cluster.local", QueryType.SRV);

        var srv = Assert.Single(answer.Answers.SrvRecords());
        Assert.Equal(8080, srv.Port);
        Assert.Equal("srv-svc.default.svc.cluster.local.", srv.Target.Value);
    }

    [SkippableFact]
    public async Task Query_HeadlessService_AnswersReadyPodsAndHostnames()
    {
        await CreateServiceAsync("nginx", clusterIp: "None", ("web", 80));
        await WriteEndpointsAsync("nginx",
            ready: [("127.10.1.5", "nginx-statefulset-0"), ("127.10.2.6", "nginx-statefulset-1")],
            notReady: [("127.10.1.7", "nginx-statefulset-2")]);

        var service = await WaitForAnswerAsync("nginx.default.svc.cluster.local", QueryType.A, expected: 2);
        var pod = await Client.QueryAsync("nginx-statefulset-0.nginx.default.svc.cluster.local", QueryType.A);
        var notReady = await Client.QueryAsync("nginx-statefulset-2.nginx.default.svc.cluster.local", QueryType.A);
        var srv = await Client.QueryAsync("_web._tcp.nginx.default.svc.cluster.local", QueryType.SRV);

        Assert.Equal(["127.10.1.5", "127.10.2.6"], service.Answers.ARecords().Select(a => a.Address.ToString()).Order());
        Assert.Equal("127.10.1.5", Assert.Single(pod.Answers.ARecords()).Address.ToString());
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, notReady.Header.ResponseCode);
        Assert.Equal(["nginx-statefulset-0.nginx.default.svc.cluster.local.", "nginx-statefulset-1.nginx.default.svc.cluster.local."],
            srv.Answers.SrvRecords().Select(s => s.Target.Value).Order());
    }

    [SkippableFact]
    public async Task Query_ExternalNameService_AnswersCnameWithoutChasingIt()
    {
        await cluster.ApiServer.Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "my-external-service", Namespace = "default" },
            Spec = new ServiceSpec { Type = "ExternalName", ExternalName = "external.example.com" },
        });

        var answer = await WaitForAnswerAsync("my-external-service.default.svc.cluster.local", QueryType.A);

        var cname = Assert.Single(answer.Answers.CnameRecords());
        Assert.Equal("external.example.com.", cname.CanonicalName.Value);
        Assert.Empty(answer.Answers.ARecords());
    }

    [SkippableFact]
    public async Task Query_MissingClusterName_IsNxDomainWithSoa()
    {
        var answer = await Client.QueryAsync("nope.default.svc.cluster.local", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, answer.Header.ResponseCode);
        Assert.Equal("cluster.local.", Assert.Single(answer.Authorities.SoaRecords()).DomainName.Value);
    }

    [SkippableFact]
    public async Task Query_AaaaOfExistingService_IsNoDataWithSoa()
    {
        await CreateServiceAsync("v4-only", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("v4-only.default.svc.cluster.local", QueryType.A);

        var answer = await Client.QueryAsync("v4-only.default.svc.cluster.local", QueryType.AAAA);

        Assert.Equal(DnsHeaderResponseCode.NoError, answer.Header.ResponseCode);
        Assert.Empty(answer.Answers);
        Assert.Single(answer.Authorities.SoaRecords());
    }

    [SkippableFact]
    public async Task Query_NamespaceNameWithServices_IsNoDataNotNxDomain()
    {
        await CreateServiceAsync("in-ns", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("in-ns.default.svc.cluster.local", QueryType.A);

        var answer = await Client.QueryAsync("default.svc.cluster.local", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NoError, answer.Header.ResponseCode);
        Assert.Empty(answer.Answers);
    }

    [SkippableFact]
    public async Task Query_ReverseOfServiceAndPodAddresses_AnswersPtr()
    {
        var service = await CreateServiceAsync("ptr-svc", clusterIp: null, ("http", 80));
        await CreateServiceAsync("ptr-headless", clusterIp: "None", ("http", 80));
        await WriteEndpointsAsync("ptr-headless", ready: [("127.10.3.9", "web-0")], notReady: []);
        await WaitForAnswerAsync("web-0.ptr-headless.default.svc.cluster.local", QueryType.A);

        var serviceName = await Client.QueryReverseAsync(IPAddress.Parse(service.Spec.ClusterIp));
        var podName = await Client.QueryReverseAsync(IPAddress.Parse("127.10.3.9"));

        Assert.Equal("ptr-svc.default.svc.cluster.local.", Assert.Single(serviceName.Answers.PtrRecords()).PtrDomainName.Value);
        Assert.Equal("web-0.ptr-headless.default.svc.cluster.local.", Assert.Single(podName.Answers.PtrRecords()).PtrDomainName.Value);
    }

    [SkippableFact]
    public async Task Query_PodName_AnswersItsDashedAddress()
    {
        var answer = await Client.QueryAsync("127-10-1-5.default.pod.cluster.local", QueryType.A);

        Assert.Equal("127.10.1.5", Assert.Single(answer.Answers.ARecords()).Address.ToString());
    }

    [SkippableFact]
    public async Task Query_EndpointsChange_IsFollowed()
    {
        await CreateServiceAsync("moving", clusterIp: "None", ("http", 80));
        await WriteEndpointsAsync("moving", ready: [("127.10.1.20", "")], notReady: []);
        await WaitForAnswerAsync("moving.default.svc.cluster.local", QueryType.A, expected: 1);

        await WriteEndpointsAsync("moving", ready: [("127.10.2.21", "")], notReady: []);

        await Eventually.Until(async () =>
        {
            var answer = await Client.QueryAsync("moving.default.svc.cluster.local", QueryType.A);
            return answer.Answers.ARecords().Select(a => a.Address.ToString()).SequenceEqual(["127.10.2.21"]);
        }, Timeout, "the headless service follows its new endpoint within a second or so");
    }

    [SkippableFact]
    public async Task Query_DeletedService_BecomesNxDomain()
    {
        await CreateServiceAsync("short-lived", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("short-lived.default.svc.cluster.local", QueryType.A);

        await cluster.ApiServer.Client.For<Service>().DeleteAsync("default", "short-lived");

        await Eventually.Until(async () =>
            (await Client.QueryAsync("short-lived.default.svc.cluster.local", QueryType.A)).Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain,
            Timeout, "a deleted service's name disappears");
    }

    [SkippableFact]
    public async Task Query_OutsideName_IsForwardedToUpstream()
    {
        var answer = await Client.QueryAsync("www.external.test", QueryType.A);

        Assert.Equal("127.1.2.3", Assert.Single(answer.Answers.ARecords()).Address.ToString());
    }

    [SkippableFact]
    public async Task Query_OverTcp_AnswersLikeUdp()
    {
        var service = await CreateServiceAsync("tcp-svc", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("tcp-svc.default.svc.cluster.local", QueryType.A);
        var tcp = new LookupClient(new LookupClientOptions(cluster.DnsEndpoint) { UseTcpOnly = true, UseCache = false, Timeout = Timeout });

        var answer = await tcp.QueryAsync("tcp-svc.default.svc.cluster.local", QueryType.A);

        Assert.Equal(service.Spec.ClusterIp, Assert.Single(answer.Answers.ARecords()).Address.ToString());
    }

    [SkippableFact]
    public async Task Dig_ClusterName_ResolvesLikeAnyResolver()
    {
        var service = await CreateServiceAsync("dig-svc", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("dig-svc.default.svc.cluster.local", QueryType.A);

        var (exitCode, output) = await ChildProcess.RunAsync(Timeout, Tool.Require("dig"), $"@{cluster.DnsEndpoint.Address}", "-p",
            cluster.DnsEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+short", "+time=2", "+tries=1", "dig-svc.default.svc.cluster.local", "A");

        Assert.Equal(0, exitCode);
        Assert.Equal(service.Spec.ClusterIp, output.Trim());
    }

    [SkippableFact]
    public async Task Query_MixedCaseNameOverUdp_EchoesTheQuestionAsSentWithTheQueryId()
    {
        var service = await CreateServiceAsync("case-svc", clusterIp: null, ("http", 80));
        await WaitForAnswerAsync("case-svc.default.svc.cluster.local", QueryType.A);
        using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(DnsTestCluster.DnsAddress, 0));
        var name = "CaSe-SvC.DeFault.svc.Cluster.LOCAL";
        var query = new List<byte> { 0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, 0, 1, 0, 1]);

        await udp.SendAsync(query.ToArray(), cluster.DnsEndpoint);
        using var timeout = new CancellationTokenSource(Timeout);
        var reply = (await udp.ReceiveAsync(timeout.Token)).Buffer;

        Assert.Equal([0xBE, 0xEF], reply[..2]);
        Assert.Equal(query.Skip(12).ToArray(), reply[12..query.Count]);
        Assert.Equal(1, (reply[6] << 8) | reply[7]);
        Assert.Equal(IPAddress.Parse(service.Spec.ClusterIp).GetAddressBytes(), reply[^4..]);
    }

    [SkippableFact]
    public async Task Query_HeadlessAnswerTooLargeForUdp_SetsTruncatedAndTcpHasItAll()
    {
        await CreateServiceAsync("wide", clusterIp: "None", ("web", 80));
        var ready = Enumerable.Range(1, 100).Select(i => ($"127.10.9.{i}", "")).ToArray();
        await WriteEndpointsAsync("wide", ready, notReady: []);
        var tcp = new LookupClient(new LookupClientOptions(cluster.DnsEndpoint) { UseTcpOnly = true, UseCache = false, Timeout = Timeout });
        await Eventually.Until(async () => (await tcp.QueryAsync("wide.default.svc.cluster.local", QueryType.A)).Answers.Count == 100,
            Timeout, "all 100 endpoints are served over TCP");
        var udpOnly = new LookupClient(new LookupClientOptions(cluster.DnsEndpoint) { UseTcpFallback = false, UseCache = false, Timeout = Timeout, EnableAuditTrail = false });

        var error = await Assert.ThrowsAsync<DnsResponseException>(() => udpOnly.QueryAsync("wide.default.svc.cluster.local", QueryType.A));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    private LookupClient Client { get; } = new(new LookupClientOptions(cluster.DnsEndpoint) { UseCache = false, Timeout = Timeout, Retries = 1 });

    private async Task<IDnsQueryResponse> WaitForAnswerAsync(string name, QueryType type, int expected = 1)
    {
        IDnsQueryResponse? last = null;
        await Eventually.Until(async () =>
        {
            last = await Client.QueryAsync(name, type);
            return last.Answers.Count >= expected;
        }, Timeout, $"{name} {type} has {expected} answers");
        return last!;
    }

    private async Task<Service> CreateServiceAsync(string name, string? clusterIp, (string Name, int Port) port) =>
        await cluster.ApiServer.Client.For<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new ServiceSpec
            {
                ClusterIp = clusterIp ?? "",
                Selector = { ["app"] = name },
                Ports = { new ServicePort { Name = port.Name, Port = port.Port, TargetPort = Value.ForNumber(port.Port) } },
            },
        });

    private async Task WriteEndpointsAsync(string name, (string Ip, string Hostname)[] ready, (string Ip, string Hostname)[] notReady)
    {
        var client = cluster.ApiServer.Client.For<Endpoints>();
        var endpoints = new Endpoints
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Subsets =
            {
                new EndpointSubset
                {
                    Addresses = { ready.Select(a => Address(a.Ip, a.Hostname)) },
                    NotReadyAddresses = { notReady.Select(a => Address(a.Ip, a.Hostname)) },
                    Ports = { new EndpointPort { Name = "web", Port = 80, Protocol = "TCP" } },
                },
            },
        };
        try
        {
            var existing = await client.GetAsync("default", name);
            endpoints.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.UpdateAsync(endpoints);
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            await client.CreateAsync(endpoints);
        }
    }

    private static EndpointAddress Address(string ip, string hostname) => new()
    {
        Ip = ip,
        Hostname = hostname,
        NodeName = "node1",
        TargetRef = new ObjectReference { Kind = "Pod", Namespace = "default", Name = hostname.Length > 0 ? hostname : "pod-" + ip.Replace('.', '-') },
    };
}
