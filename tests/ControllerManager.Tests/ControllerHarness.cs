using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>
/// Runs chosen controllers against the fixture's api-server, with their own informers, in a fresh namespace, and
/// records every sync they finish, so a test can wait until a controller has looked at a key after a change
/// before asserting that nothing (more) happened.
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(20);
    private readonly List<IHostedService> _controllers = [];
    private readonly ConcurrentQueue<(object Key, long Started, Exception? Error)> _syncs = new();

    private ControllerHarness(KubeMeshClient client, SharedInformerFactory informers, ControllerContext context, string ns)
    {
        Client = client;
        Informers = informers;
        Context = context;
        Namespace = ns;
    }

    public KubeMeshClient Client { get; }

    public SharedInformerFactory Informers { get; }

    public ControllerContext Context { get; }

    public string Namespace { get; }

    public IReadOnlyList<IHostedService> Controllers => _controllers;

    public static Task<ControllerHarness> StartAsync(
        ApiServerFixture api, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers) =>
        StartAsync(api.Client, TimeProvider.System, settings, controllers);

    /// <summary>Controllers on the given clock (a FakeTimeProvider for schedules), with its timers driving their delayed requeues.</summary>
    public static Task<ControllerHarness> StartAsync(
        ApiServerFixture api, TimeProvider time, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers) =>
        StartAsync(api.Client, time, settings, controllers);

    /// <summary>Controllers over the given client; returns once every controller's own caches have synced.</summary>
    public static async Task<ControllerHarness> StartAsync(
        KubeMeshClient client, TimeProvider time, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers)
    {
        var harness = await StartUnsyncedAsync(client, time, settings, controllers);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var controller in harness._controllers)
        {
            await WaitForCacheSyncAsync(controller, timeout.Token);
        }

        return harness;
    }

    /// <summary>Controllers over the given client, started without waiting for their caches.</summary>
    public static Task<ControllerHarness> StartUnsyncedAsync(KubeMeshClient client, params Func<ControllerContext, IHostedService>[] controllers) =>
        StartUnsyncedAsync(client, TimeProvider.System, null, controllers);

    private static async Task<ControllerHarness> StartUnsyncedAsync(
        KubeMeshClient client, TimeProvider time, IDictionary<string, string?>? settings, params Func<ControllerContext, IHostedService>[] controllers)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var informers = new SharedInformerFactory(client, LoggerFactory());
        var context = new ControllerContext(client, informers, time, LoggerFactory(), configuration);
        var ns = "t-" + Guid.NewGuid().ToString("N")[..10];
        await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        var harness = new ControllerHarness(client, informers, context, ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var create in controllers)
        {
            var controller = create(context);
            harness.Record(controller);
            harness._controllers.Add(controller);
            await controller.StartAsync(timeout.Token);
        }

        return harness;
    }

    /// <summary>A point in time to wait for syncs after (a Stopwatch timestamp).</summary>
    public static long Mark() => Stopwatch.GetTimestamp();

    /// <summary>Waits until a controller finished a successful sync of the key that started after <paramref name="after"/>.</summary>
    public Task SyncedAsync(object key, long after, string because) =>
        Eventually.Until(() => _syncs.Any(s => Equals(s.Key, key) && s.Started >= after && s.Error is null), SyncTimeout, $"{key} is synced after {because}");

    /// <summary>
    /// Changes only an annotation of the object, then waits for a sync of <paramref name="key"/> (the object's
    /// "namespace/name" when null) that started afterwards: from then on, the controller has seen the current state.
    /// </summary>
    public async Task PokeAndWaitForSyncAsync<T>(string name, string because, object? key = null)
        where T : class, IMessage<T>, new()
    {
        var mark = Mark();
        await PokeAsync<T>(name);
        var kind = Client.For<T>().Kind;
        await SyncedAsync(key ?? MetaNamespaceKey.For(kind.Namespaced ? Namespace : "", name), mark, because);
    }

    /// <summary>Changes an annotation of the object and nothing else, so its controller looks at it again.</summary>
    public Task PokeAsync<T>(string name)
        where T : class, IMessage<T>, new()
    {
        var resources = Client.For<T>();
        var ns = resources.Kind.Namespaced ? Namespace : "";
        return RetryOnConflict.RunAsync(async ct =>
        {
            var obj = await resources.GetAsync(ns, name, ct);
            resources.Kind.Metadata(obj).Annotations["test.kubemesh.io/poke"] = Guid.NewGuid().ToString("N");
            await resources.UpdateAsync(obj, ct);
        });
    }

    /// <summary>Controller logs on the console when KUBEMESH_TEST_LOGS is set, for debugging a failing test.</summary>
    private static ILoggerFactory LoggerFactory() =>
        Environment.GetEnvironmentVariable("KUBEMESH_TEST_LOGS") is { Length: > 0 }
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug))
            : NullLoggerFactory.Instance;

    private static Task WaitForCacheSyncAsync(IHostedService controller, CancellationToken cancellationToken) => controller switch
    {
        Controller<string> c => c.WaitForCacheSyncAsync(cancellationToken),
        Controller<ObjectRef> c => c.WaitForCacheSyncAsync(cancellationToken),
        _ => Task.CompletedTask,
    };

    private void Record(IHostedService controller)
    {
        switch (controller)
        {
            case Controller<string> c:
                c.Synced += s => _syncs.Enqueue((s.Key, s.Started, s.Error));
                break;
            case Controller<ObjectRef> c:
                c.Synced += s => _syncs.Enqueue((s.Key, s.Started, s.Error));
                break;
        }
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
