using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>
/// Writes call the store's script by its SHA1; a store that has forgotten it (restarted without it, SCRIPT FLUSH)
/// answers NOSCRIPT and the write is sent again in full, so it still lands, once.
/// </summary>
public sealed class StoreScriptReloadTests
{
    public static TheoryData<string> Stores => new() { "redis", "garnet" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Create_AfterTheStoreFlushedItsScripts_IsStoredOnce(string kind)
    {
        await using StoreServer store = kind == "redis" ? new RedisServer() : new EmbeddedStoreServer();
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "before" } }, deadline: deadline);

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(store.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetServers()[0].ScriptFlushAsync();
        }

        var second = await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "after" } }, deadline: deadline);

        var list = await api.ConfigMaps.ListAsync(new ListRequest { Namespace = "default" }, deadline: deadline);
        Assert.Equal(["after", "before"], list.Items.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal));
    }
}
