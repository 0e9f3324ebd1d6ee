using Aspire.Hosting;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The whole cluster as `dotnet run --project AppHost` starts it, on the embedded store (the default of
/// a machine with only the .NET SDK), on free ports and a temporary data directory.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private DistributedApplication? _app;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kubemesh-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    public int ApiServerPort { get; } = FreePort.Next();

    public int StorePort { get; } = FreePort.Next();

    public string ApiServer => $"http://127.0.0.1:{ApiServerPort}";

    public KubeMeshClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Cluster:StoreMode=embedded",
                $"--Cluster:StorePort={StorePort}",
                $"--Cluster:ApiServerPort={ApiServerPort}",
                $"--Cluster:DataDirectory={DataDirectory}",
            ],
            cts.Token);
        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceAsync("api-server", Aspire.Hosting.ApplicationModel.KnownResourceStates.Running, cts.Token);
        Client = KubeMeshClient.Create(ApiServer);
        await WaitForApiServerAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitForApiServerAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var list = await Client.For<KubeMesh.Api.Core.V1.Namespace>().ListAsync(new KubeMesh.Api.Meta.V1.ListRequest(), ct);
                if (list.Items.Any(n => n.Metadata.Name == "default"))
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(250, ct);
        }
    }
}
