using DnsClient;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Testing;

namespace KubeMesh.Dns.Tests;

/// <summary>The cluster DNS publishing the hosts of Ingresses that have an address, as external-dns would.</summary>
public sealed class IngressHostDnsTests(DnsTestCluster cluster) : IClassFixture<DnsTestCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private LookupClient Client { get; } = new(new LookupClientOptions(cluster.DnsEndpoint) { UseCache = false, Timeout = Timeout, Retries = 1 });

    [SkippableFact]
    public async Task Query_HostOfIngressWithAddress_AnswersTheAddressAndNoAaaa()
    {
        var ingress = await CreateIngressAsync("shop", ["shop.example.test"], tlsHosts: ["secure.shop.example.test"]);
        await PublishAddressAsync(ingress, "127.0.0.1");

        await WaitForAsync("shop.example.test", "127.0.0.1");
        await WaitForAsync("secure.shop.example.test", "127.0.0.1");
        var aaaa = await Client.QueryAsync("shop.example.test", QueryType.AAAA);

        Assert.Equal(DnsHeaderResponseCode.NoError, aaaa.Header.ResponseCode);
        Assert.Empty(aaaa.Answers);
    }

    [SkippableFact]
    public async Task Query_IngressWithoutAddress_IsNotPublishedUntilItHasOne()
    {
        var ingress = await CreateIngressAsync("pending", ["pending.example.test"]);

        // An Ingress written after it, once published, shows the DNS has seen the first one too.
        var later = await CreateIngressAsync("later", ["later.example.test"]);
        await PublishAddressAsync(later, "127.0.0.9");
        await WaitForAsync("later.example.test", "127.0.0.9");
        var before = await Client.QueryAsync("pending.example.test", QueryType.A);
        Assert.Empty(before.Answers.ARecords());

        await PublishAddressAsync(ingress, "127.0.0.2");
        await WaitForAsync("pending.example.test", "127.0.0.2");
    }

    [SkippableFact]
    public async Task Query_WildcardHost_AnswersNamesOneLabelBelow()
    {
        var ingress = await CreateIngressAsync("wild", ["*.apps.example.test"]);
        await PublishAddressAsync(ingress, "127.0.0.3");

        await WaitForAsync("one.apps.example.test", "127.0.0.3");
        Assert.Empty((await Client.QueryAsync("two.one.apps.example.test", QueryType.A)).Answers.ARecords());
    }

    [SkippableFact]
    public async Task Query_DeletedIngress_IsNoLongerPublished()
    {
        var ingress = await CreateIngressAsync("gone", ["gone.example.test"]);
        await PublishAddressAsync(ingress, "127.0.0.4");
        await WaitForAsync("gone.example.test", "127.0.0.4");

        await cluster.ApiServer.Client.For<Ingress>().DeleteAsync("default", "gone");

        await WaitForAsync("gone.example.test", null);
    }

    private async Task WaitForAsync(string name, string? address)
    {
        await Eventually.Until(async () =>
        {
            var answer = await Client.QueryAsync(name, QueryType.A);
            var addresses = answer.Answers.ARecords().Select(a => a.Address.ToString()).ToList();
            return address is null ? addresses.Count == 0 : addresses.SequenceEqual([address]);
        }, Timeout, $"{name} answers {address ?? "nothing"}");
    }

    private async Task<Ingress> CreateIngressAsync(string name, string[] hosts, string[]? tlsHosts = null)
    {
        var ingress = new Ingress { Metadata = new ObjectMeta { Name = name, Namespace = "default" }, Spec = new IngressSpec() };
        foreach (var host in hosts)
        {
            ingress.Spec.Rules.Add(new IngressRule
            {
                Host = host,
                Http = new HTTPIngressRuleValue { Paths = { new HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new IngressBackend { Service = new IngressServiceBackend { Name = "web", Port = new ServiceBackendPort { Number = 80 } } } } } },
            });
        }

        if (tlsHosts is not null)
        {
            ingress.Spec.Tls.Add(new IngressTLS { SecretName = name + "-tls", Hosts = { tlsHosts } });
        }

        return await cluster.ApiServer.Client.For<Ingress>().CreateAsync(ingress);
    }

    private async Task PublishAddressAsync(Ingress ingress, string ip)
    {
        var current = await cluster.ApiServer.Client.For<Ingress>().GetAsync(ingress.Metadata.Namespace, ingress.Metadata.Name);
        current.Status = new IngressStatus { LoadBalancer = new IngressLoadBalancerStatus { Ingress = { new IngressLoadBalancerIngress { Ip = ip } } } };
        await cluster.ApiServer.Client.For<Ingress>().UpdateStatusAsync(current);
    }
}
