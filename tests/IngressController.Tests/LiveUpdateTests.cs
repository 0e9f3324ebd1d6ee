using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LiveUpdateTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task ConfigChange_UnderLoad_AppliedWithoutFailures()
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

        // The change lands while requests are in flight.
        await Eventually.Until(() => Volatile.Read(ref succeeded) >= 50, ClusterFixture.Timeout, "the load is running");
        // Re-read: the controller has written the ingress's status since it was created.
        var update = await cluster.Client.For<Ingress>().GetAsync(ingress.Metadata.Namespace, ingress.Metadata.Name);
        update.Spec.Rules[0].Http.Paths.Add(new HTTPIngressPath
        {
            Path = "/v2",
            PathType = "Prefix",
            Backend = new IngressBackend { Service = new IngressServiceBackend { Name = "live-b", Port = new ServiceBackendPort { Number = 80 } } },
        });
        await cluster.Client.For<Ingress>().UpdateAsync(update);
        await Eventually.Until(() => _client.GetBodyAsync("live.example.com", "/v2"), b => b.StartsWith("200 live-b\n"), ClusterFixture.Timeout, "the new path is served");

        await cluster.SetEndpointsAsync("live-a", first, extra);
        // Both old and new endpoints keep serving the load for a while after the change.
        await Eventually.Until(() => extra.Requests >= 50, ClusterFixture.Timeout, "the new endpoint takes its share of the load");
        var before = first.Requests;
        await Eventually.Until(() => first.Requests >= before + 50, ClusterFixture.Timeout, "the old endpoint keeps serving");
        stop.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(failures);
    }

    public void Dispose() => _client.Dispose();
}
