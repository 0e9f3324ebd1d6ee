using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>A kind's watch cache that could not start while the store was away starts on a later watch.</summary>
public sealed class WatchFeedRecoveryTests
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Watch_FirstTriedWhileTheStoreIsDown_WorksOnceTheStoreIsBack()
    {
        await using var store = new RedisServer { AppendOnly = true };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        var configMaps = api.ConfigMaps;

        store.Kill();
        var failed = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = configMaps.Watch(new WatchRequest { Namespace = "default" }, deadline: DateTime.UtcNow.AddSeconds(20));
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        await store.StartAsync();

        // Before the fix every later watch of the kind failed with the first start's error for the life of the process.
        var added = await Eventually.Returns(async () =>
        {
            using var call = configMaps.Watch(new WatchRequest { Namespace = "default" }, deadline: DateTime.UtcNow.AddSeconds(15));
            await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "after-" + Guid.NewGuid().ToString("N")[..6] } }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.True(await call.ResponseStream.MoveNext());
            return call.ResponseStream.Current.Type;
        }, RecoveryTimeout);
        Assert.Equal("ADDED", added);
    }
}
