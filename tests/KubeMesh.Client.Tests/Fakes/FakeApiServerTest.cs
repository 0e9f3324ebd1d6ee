namespace KubeMesh.Client.Tests.Fakes;

/// <summary>
/// A test class with its own fake api-server and a client to it; what the test starts in <see cref="Running"/> is
/// stopped with <see cref="Stop"/> and awaited before the server goes.
/// </summary>
public abstract class FakeApiServerTest : IAsyncLifetime
{
    protected static readonly InformerOptions FastRetry = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    protected CancellationTokenSource Stop { get; } = new(TimeSpan.FromSeconds(60));

    protected FakeApiServer Server { get; private set; } = null!;

    protected KubeMeshClient Client { get; private set; } = null!;

    protected Task Running { get; set; } = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Server = await FakeApiServer.StartAsync();
        Client = KubeMeshClient.Create(Server.Address);
    }

    public async Task DisposeAsync()
    {
        await Stop.CancelAsync();
        await Running.WaitAsync(TimeSpan.FromSeconds(10));
        Client.Dispose();
        await Server.DisposeAsync();
        Stop.Dispose();
    }
}
