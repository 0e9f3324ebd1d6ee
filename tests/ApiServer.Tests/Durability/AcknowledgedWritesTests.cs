using System.Collections.Concurrent;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using KubeMesh.Testing;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>
/// Writers create objects as fast as they can while the store is killed with SIGKILL in the middle: every create the
/// api-server acknowledged must be there, with its resourceVersion, once the store is back (etcd's guarantee).
/// </summary>
public sealed class AcknowledgedWritesTests
{
    private const int Writers = 16;

    [Theory]
    [InlineData("garnet")]
    [InlineData("redis")]
    public async Task Create_StoreKilledMidStream_EveryAcknowledgedWriteSurvives(string storeName)
    {
        await using StoreServer store = storeName == "garnet" ? new EmbeddedStoreServer() : new RedisServer { AppendOnly = true };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var attempted = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = $"w{w}-{i}";
                Interlocked.Increment(ref attempted);
                try
                {
                    var created = await api.ConfigMaps.CreateAsync(
                        new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = name }, Data = { ["n"] = name } },
                        deadline: DateTime.UtcNow.AddSeconds(5));
                    acknowledged[name] = created.Metadata.ResourceVersion;
                }
                catch (RpcException)
                {
                    // Not acknowledged: the store went away under it, so it may or may not have been written.
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await Eventually.Until(() => acknowledged.Count >= 300, TimeSpan.FromSeconds(60), "300 creates acknowledged before the kill");
        store.Kill();
        var atKill = acknowledged.Count;
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await store.StartAsync();

        var list = await StoreRecovery.UntilStoreAnswersAsync(() => api.ConfigMaps.ListAsync(new ListRequest { Namespace = "default" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var stored = list.Items.ToDictionary(c => c.Metadata.Name, c => c.Metadata.ResourceVersion);
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var rv) || rv != a.Value).Select(a => a.Key).Order().ToArray();
        Assert.True(lost.Length == 0, $"{lost.Length} of {acknowledged.Count} acknowledged creates ({atKill} before the kill, {attempted} attempted) are missing or changed after kill -9 of {storeName}: {string.Join(", ", lost.Take(20))}");
    }
}
