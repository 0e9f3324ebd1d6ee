using System.Net.Sockets;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.Testing;

namespace KubeMesh.IngressController.Tests;

/// <summary>A controller starting (or starting again after a crash) while its ingresses already exist.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task Starting_OpensNoPortBeforeItsRules_SoTheFirstRequestIsServed()
    {
        await using var pod = await EchoBackend.StartAsync("restart");
        await cluster.CreateServiceAsync("restart", pod);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("restart", "restart.example.com", ("/", "Prefix", "restart")));
        await Eventually.Until(() => _client.GetBodyAsync("restart.example.com", "/"), b => b.StartsWith("200 "), ClusterFixture.Timeout, "the ingress is served");

        // A second controller over the same api-server, asked from the moment it starts until it has started and
        // served 20 requests: each one that connects is served by the rule, none gets a 404.
        var httpPort = FreePort.Get();
        await using var controller = cluster.BuildController(httpPort, FreePort.Get(), FreePort.Get());
        var starting = controller.StartAsync();
        var statuses = new List<string>();
        var refused = 0;
        var deadline = DateTime.UtcNow + ClusterFixture.Timeout;
        while (!starting.IsCompleted || statuses.Count < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, $"started: {starting.IsCompleted}, {statuses.Count} responses");
            ConnectionForwardingTests.RawClient client;
            try
            {
                client = await ConnectionForwardingTests.RawClient.ConnectAsync(httpPort);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                refused++;
                await Task.Delay(2);
                continue;
            }

            using (client)
            {
                statuses.Add((await client.SendAsync("GET /first HTTP/1.1\r\nHost: restart.example.com\r\n\r\n")).StatusLine);
            }
        }

        await starting;
        Assert.All(statuses, s => Assert.Equal("HTTP/1.1 200 OK", s));
        Assert.True(refused > 0, "the port was closed while the controller started");
        await controller.StopAsync();
    }

    public void Dispose() => _client.Dispose();
}
