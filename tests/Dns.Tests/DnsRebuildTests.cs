using System.Net;
using DnsClient;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.Dns.Records;
using KubeMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Tests;

/// <summary>A second DNS over the fixture's api-server whose zone build throws while a "poison" Service exists.</summary>
public sealed class DnsRebuildTests(DnsTestCluster cluster) : IClassFixture<DnsTestCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Rebuild_Throws_DnsKeepsServingTheLastZoneAndRecoversOnTheNextChange()
    {
        var endpoint = new IPEndPoint(DnsTestCluster.DnsAddress, FreePort.GetForTcpAndUdp(DnsTestCluster.DnsAddress));
        using var host = await DnsTestCluster.StartDnsAsync(cluster.ApiServer.Address, endpoint, cluster.UpstreamEndpoint, services =>
            services.AddSingleton(sp => new ClusterDnsIndex(
                sp.GetRequiredService<SharedInformerFactory>(),
                sp.GetRequiredService<IOptions<DnsOptions>>(),
                sp.GetRequiredService<ILogger<ClusterDnsIndex>>(),
                (domain, all, endpoints) => all.Any(s => s.Metadata.Name == "rb-poison")
                    ? throw new InvalidOperationException("the zone build broke")
                    : DnsZoneBuilder.Build(domain, all, endpoints))));
        var index = host.Services.GetRequiredService<ClusterDnsIndex>();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var dns = new LookupClient(new LookupClientOptions(endpoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
        var services = cluster.ApiServer.Client.For<Service>();
        var before = await services.CreateAsync(NewService("rb-before"));
        await Eventually.Until(async () => await AnswerAsync(dns, "rb-before") == before.Spec.ClusterIp, Timeout, "rb-before is answered");

        await services.CreateAsync(NewService("rb-poison"));

        await Eventually.Until(() => index.ConsecutiveFailures > 0, Timeout, "a rebuild fails");
        Assert.False(stopping.IsCancellationRequested, "the DNS host is stopping");
        Assert.Equal(before.Spec.ClusterIp, await AnswerAsync(dns, "rb-before"));

        await services.DeleteAsync("default", "rb-poison");
        var after = await services.CreateAsync(NewService("rb-after"));

        await Eventually.Until(async () => await AnswerAsync(dns, "rb-after") == after.Spec.ClusterIp, Timeout, "rb-after is answered");
        Assert.Equal(0, index.ConsecutiveFailures);
        Assert.False(stopping.IsCancellationRequested, "the DNS host is stopping");
    }

    private static async Task<string?> AnswerAsync(LookupClient dns, string service) =>
        (await dns.QueryAsync($"{service}.default.svc.cluster.local", QueryType.A)).Answers.ARecords().FirstOrDefault()?.Address.ToString();

    private static Service NewService(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec { Selector = { ["app"] = name }, Ports = { new ServicePort { Name = "http", Port = 80, TargetPort = Value.ForNumber(80) } } },
    };
}
