using k8s;
using k8s.Models;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>The official Kubernetes C# client (KubernetesClient) against the REST API: create, list and watch.</summary>
public sealed class KubernetesClientTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>
{
    [Fact]
    public async Task OfficialClient_CreatesListsAndWatchesConfigMaps()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = fixture.Rest.ToString() });
        var ns = "kc-" + Guid.NewGuid().ToString("N")[..10];
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cts.Token);

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "first", Labels = new Dictionary<string, string> { ["app"] = "kc" } }, Data = new Dictionary<string, string> { ["a"] = "b" } },
            ns, cancellationToken: cts.Token);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app=kc", cancellationToken: cts.Token);

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal("b", Assert.Single(list.Items).Data["a"]);

        var seen = new List<(WatchEventType, string)>();
        var watch = client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "second" } }, ns, cancellationToken: cts.Token);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("first", ns, cancellationToken: cts.Token);
        await foreach (var (type, item) in watch)
        {
            seen.Add((type, item.Metadata.Name));
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "second"), (WatchEventType.Deleted, "first")], seen);
        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("first", ns, cancellationToken: cts.Token));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Response.StatusCode);
    }
}
