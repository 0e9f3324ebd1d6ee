using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>While the store is away callers get one clear line; the api-server reconnects by itself once it is back.</summary>
public sealed class StoreUnavailableTests
{
    [Fact]
    public async Task Get_WhileStoreIsDown_IsUnavailableInOneLineAndRecoversByItself()
    {
        await using var store = new RedisServer { AppendOnly = true };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "kept" } }, deadline: DateTime.UtcNow.AddSeconds(15));

        store.Kill();
        var ex = await Assert.ThrowsAsync<RpcException>(() => api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "kept" }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal("storage is unavailable", ex.Status.Detail);

        await store.StartAsync();
        var kept = await StoreRecovery.UntilStoreAnswersAsync(() => api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "kept" }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync);
        Assert.Equal("kept", kept.Metadata.Name);
    }
}
