using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>An acknowledged write survives kill -9 of the store, as an etcd write survives a crash.</summary>
public sealed class StoreDurabilityTests
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    [SkippableTheory]
    [InlineData("garnet")]
    [InlineData("redis")]
    public async Task Get_AfterStoreKilledAndRestarted_ReturnsTheCreatedObject(string storeName)
    {
        await using StoreServer store = storeName == "garnet" ? new EmbeddedStoreServer() : new RedisServer { AppendOnly = true };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        var created = await api.ConfigMaps.CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "durable" }, Data = { ["k"] = "v" } },
            deadline: DateTime.UtcNow.AddSeconds(15));

        store.Kill();
        await store.StartAsync();

        var recovered = await UntilStoreAnswersAsync(() => api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "durable" }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync);
        Assert.Equal(created.Metadata.Uid, recovered.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, recovered.Metadata.ResourceVersion);
        Assert.Equal("v", recovered.Data["k"]);

        // The revision counter came back too: a new write is ordered after everything before the crash.
        var next = await UntilStoreAnswersAsync(() => api.ConfigMaps.CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "after-restart" } },
            deadline: DateTime.UtcNow.AddSeconds(15)).ResponseAsync);
        Assert.True(long.Parse(next.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_FirstOneWhileTheStoreIsDown_FailsThenLaterWatchesStream()
    {
        await using StoreServer store = new RedisServer();
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        store.Kill();

        // The kind's watch cache cannot start without the store: this watch fails, and the failure is not kept.
        var first = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = api.ConfigMaps.Watch(new WatchRequest { Namespace = "default" }, deadline: DateTime.UtcNow.AddSeconds(30));
            await call.ResponseStream.MoveNext();
        });
        Assert.Contains(first.StatusCode, new[] { StatusCode.Unavailable, StatusCode.DeadlineExceeded });
        await store.StartAsync();

        var added = await UntilStoreAnswersAsync(async () =>
        {
            using var call = api.ConfigMaps.Watch(new WatchRequest { Namespace = "default" }, deadline: DateTime.UtcNow.AddSeconds(15));
            await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "seen-" + Guid.NewGuid().ToString("N")[..6] } }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.True(await call.ResponseStream.MoveNext());
            return call.ResponseStream.Current;
        });
        Assert.Equal("ADDED", added.Type);
    }

    /// <summary>The api-server reconnects on its own; until then calls fail as UNAVAILABLE.</summary>
    private static async Task<T> UntilStoreAnswersAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
