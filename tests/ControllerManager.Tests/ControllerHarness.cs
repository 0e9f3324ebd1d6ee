using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>Runs chosen controllers against the fixture's api-server, with their own informers, in a fresh namespace.</summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    private readonly List<IHostedService> _controllers = [];

    private ControllerHarness(ApiServerFixture api, SharedInformerFactory informers, ControllerContext context, string ns)
    {
        Api = api;
        Informers = informers;
        Context = context;
        Namespace = ns;
    }

    public ApiServerFixture Api { get; }

    public KubeMeshClient Client => Api.Client;

    public SharedInformerFactory Informers { get; }

    public ControllerContext Context { get; }

    public string Namespace { get; }

    public static Task<ControllerHarness> StartAsync(
        ApiServerFixture api, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers) =>
        StartAsync(api, TimeProvider.System, settings, controllers);

    /// <summary>Controllers on the given clock (a FakeTimeProvider for schedules), with its timers driving their delayed requeues.</summary>
    public static async Task<ControllerHarness> StartAsync(
        ApiServerFixture api, TimeProvider time, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var informers = new SharedInformerFactory(api.Client);
        var context = new ControllerContext(api.Client, informers, time, TestLogging.CreateFactory(), configuration);
        var ns = "t-" + Guid.NewGuid().ToString("N")[..10];
        await api.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        var harness = new ControllerHarness(api, informers, context, ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var create in controllers)
        {
            var controller = create(context);
            harness._controllers.Add(controller);
            await controller.StartAsync(timeout.Token);
        }

        await informers.WaitForCacheSyncAsync(timeout.Token);
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var controller in _controllers)
        {
            await controller.StopAsync(timeout.Token);
            (controller as IDisposable)?.Dispose();
        }

        await Informers.DisposeAsync();
    }
}
