using System.Diagnostics;
using KubeMesh.Client;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests.Telemetry;

/// <summary>The controller's rebuild of its routes after an Ingress write hangs in the trace of that write.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReconfigurationTracingTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task IngressWritten_RebuildIsInTheTraceOfTheChange()
    {
        using var spans = new SpanRecorder();
        await using var backend = await EchoBackend.StartAsync("traced");
        ActivityTraceId traceId;
        using (var change = spans.StartChange("apply ingress/traced"))
        {
            traceId = change.TraceId;
            await cluster.CreateServiceAsync("traced", backend);
            await cluster.CreateIngressAsync(ClusterFixture.Ingress("traced", "traced.example.com", ("/", "Prefix", "traced")));
        }

        await Eventually.Until(() => _client.GetBodyAsync("traced.example.com", "/"), b => b.StartsWith("200 traced\n", StringComparison.Ordinal), ClusterFixture.Timeout, "the ingress is served");

        // The rebuild that served the change is its child, or links it when one rebuild served several changes.
        await Eventually.Until(
            () => Task.FromResult(spans.Served(traceId, RebuildReconciler.ActivitySource, "sync ingress")),
            ClusterFixture.Timeout,
            "the ingress's rebuild is in the trace of the Ingress's write");
    }

    public void Dispose() => _client.Dispose();
}
