using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>An acknowledged write survives kill -9 of the store, as an etcd write survives a crash.</summary>
public sealed class StoreDurabilityTests
{
    // A generous bound: the embedded store and the api-server beside parallel test classes on a busy 2-core machine.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

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
            deadline: DateTime.UtcNow.Add(CallTimeout));

        store.Kill();
        await store.StartAsync();

        var recovered = await StoreRecovery.UntilStoreAnswersAsync(() => api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "durable" }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync);
        Assert.Equal(created.Metadata.Uid, recovered.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, recovered.Metadata.ResourceVersion);
        Assert.Equal("v", recovered.Data["k"]);

        // The revision counter came back too: a new write is ordered after everything before the crash.
        var next = await StoreRecovery.UntilStoreAnswersAsync(async () =>
        {
            try
            {
                return await api.ConfigMaps.CreateAsync(
                    new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "after-restart" } },
                    deadline: DateTime.UtcNow.Add(CallTimeout));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                // An earlier attempt was applied, but its answer came after its deadline (a busy machine).
                return await api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "after-restart" }, deadline: DateTime.UtcNow.Add(CallTimeout));
            }
        });
        Assert.True(long.Parse(next.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }
}
