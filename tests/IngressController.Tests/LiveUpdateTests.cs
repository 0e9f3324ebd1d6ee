using System.Diagnostics;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LiveUpdateTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task ConfigChange_UnderLoad_AppliedWithinASecondWithoutFailures()
    {
        await using var first = await EchoBackend.StartAsync("live-a");
        await using var second = await EchoBackend.StartAsync("live-b");
        await using var extra = await EchoBackend.StartAsync("live-a2");
        await cluster.CreateServiceAsync("live-a", first);
        await cluster.CreateServiceAsync("live-b", second);
        var ingress = await cluster.CreateIngressAsync(ClusterFixture.Ingress("live", "live.example.com", ("/", "Prefix", "live-a")));
        await Eventually.Until(() => _client.GetBodyAsync("live.example.com", "/"), b => b.StartsWith("200 live-a\n"), ClusterFixture.Timeout, "the ingress is served");

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var succeeded = 0;
        var load = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var body = await _client.GetBodyAsync("live.example.com", "/");
                if (body.StartsWith("200 live-a", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    lock (failures)
                    {
                        failures.Add(body);
                    }
                }
            }
        })).ToArray();

        await Task.Delay(300);
        // Re-read: the controller has written the ingress's status since it was created.
        var update = await cluster.Client.For<Ingress>().GetAsync(ingress.Metadata.Namespace, ingress.Metadata.Name);
        update.Spec.Rules[0].Http.Paths.Add(new HTTPIngressPath
        {
            Path = "/v2",
            PathType = "Prefix",
            Backend = new IngressBackend { Service = new IngressServiceBackend { Name = "live-b", Port = new ServiceBackendPort { Number = 80 } } },
        });
        await cluster.Client.For<Ingress>().UpdateAsync(update);
        var updated = Stopwatch.StartNew();
        await Eventually.Until(() => _client.GetBodyAsync("live.example.com", "/v2"), b => b.StartsWith("200 live-b\n"), ClusterFixture.Timeout, "the new path is served");
        var applied = updated.Elapsed;

        await cluster.SetEndpointsAsync("live-a", first, extra);
        await Eventually.Until(() => Task.FromResult(extra.Requests), n => n > 0, ClusterFixture.Timeout, "the new endpoint takes traffic");
        await Task.Delay(300);
        stop.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(failures);
        Assert.True(succeeded > 100, $"only {succeeded} requests succeeded");
        Assert.True(applied < TimeSpan.FromSeconds(1), $"the change took {applied.TotalMilliseconds} ms");
    }

    public void Dispose() => _client.Dispose();
}
